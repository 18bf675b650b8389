import { expect } from 'chai';
import { tablesWorthReading, tcpSocketsInUse } from '../../../src/sniffer/core/socket-scan/sockstat.js';

const sockstat = (tcp: string) => `sockets: used 201\n${tcp}\nUDP: inuse 0 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n`;
const sockstat6 = (tcp6: string) => `${tcp6}\nUDP6: inuse 0\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n`;

describe('sniffer socket scan: sockstat counts', () => {
  it('reads the TCP and TCP6 in-use counts', () => {
    expect(tcpSocketsInUse(sockstat('TCP: inuse 201 orphan 0 tw 3 alloc 20101 mem 51'), 'TCP')).to.equal(201);
    expect(tcpSocketsInUse(sockstat6('TCP6: inuse 7'), 'TCP6')).to.equal(7);
    expect(tcpSocketsInUse(sockstat6('TCP6: inuse 0'), 'TCP6')).to.equal(0);
  });

  it('gives no count for a missing or malformed line, so the table is read', () => {
    expect(tcpSocketsInUse(sockstat('TCP: inuse many'), 'TCP')).to.equal(undefined);
    expect(tcpSocketsInUse(sockstat('TCP: inuse -1 orphan 0'), 'TCP')).to.equal(undefined);
    expect(tcpSocketsInUse(sockstat('TCP: inuse 12x'), 'TCP')).to.equal(undefined);
    expect(tcpSocketsInUse('', 'TCP')).to.equal(undefined);
    // "TCP6:" is not "TCP:", nor the other way round.
    expect(tcpSocketsInUse(sockstat6('TCP6: inuse 5'), 'TCP')).to.equal(undefined);
    expect(tcpSocketsInUse(sockstat('TCP: inuse 5'), 'TCP6')).to.equal(undefined);
  });

  it('skips the tables of a family without sockets, and tcp6 when the kernel has no IPv6', () => {
    expect(tablesWorthReading(sockstat('TCP: inuse 3 orphan 0'), sockstat6('TCP6: inuse 0'))).to.deep.equal({ read: ['tcp'], skipped: 1 });
    expect(tablesWorthReading(sockstat('TCP: inuse 0 orphan 0'), sockstat6('TCP6: inuse 2'))).to.deep.equal({ read: ['tcp6'], skipped: 1 });
    expect(tablesWorthReading(sockstat('TCP: inuse 0 orphan 0'), sockstat6('TCP6: inuse 0'))).to.deep.equal({ read: [], skipped: 2 });
    expect(tablesWorthReading(sockstat('TCP: inuse 1 orphan 0'), undefined)).to.deep.equal({ read: ['tcp'], skipped: 0 });
    expect(tablesWorthReading('garbage', 'garbage')).to.deep.equal({ read: ['tcp', 'tcp6'], skipped: 0 });
  });
});
