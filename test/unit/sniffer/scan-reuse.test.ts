import { expect } from 'chai';
import { ScanReuse } from '../../../src/sniffer/core/socket-scan/scan-reuse.js';
import { namespaceActivity, tcpActivity } from '../../../src/sniffer/core/socket-scan/tcp-activity.js';
import type { ObservedConnection } from '../../../src/sniffer/core/observed.js';

const snmp = (values: string) =>
  'Ip: Forwarding DefaultTTL\nIp: 1 64\n' +
  'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n' +
  `Tcp: ${values}\nUdp: InDatagrams\nUdp: 0\n`;
const idle = '1 200 120000 -1 100 100 0 0 200 58013 47697 4 0 366 0';
const sockstat = 'sockets: used 201\nTCP: inuse 201 orphan 0 tw 0 alloc 20101 mem 51\nUDP: inuse 0 mem 0\n';
const sockstat6 = 'TCP6: inuse 0\nUDP6: inuse 0\n';

const connection = (clientIP: string, seenAt: number): ObservedConnection => ({ clientIP, serverIP: '10.0.0.9', serverPort: 80, source: 'SocketScan', seenAt });

describe('sniffer socket scan: reuse of a namespace whose TCP counters stand still', () => {
  it('reads the connection counters of net/snmp and leaves out the traffic counters', () => {
    expect(tcpActivity(snmp(idle))).to.equal('100 100 0 0 200');
    // More segments on the same connections: the same activity.
    expect(tcpActivity(snmp('1 200 120000 -1 100 100 0 0 200 99999 88888 5 0 400 0'))).to.equal('100 100 0 0 200');
    expect(tcpActivity(snmp('1 200 120000 -1 101 100 0 0 200 58013 47697 4 0 366 0'))).to.equal('101 100 0 0 200');
    expect(tcpActivity(snmp('1 200 120000 -1 100 100 0 0 199 58013 47697 4 0 366 0'))).to.equal('100 100 0 0 199');
  });

  it('gives no activity for a missing, short or malformed Tcp line (the tables are then read)', () => {
    expect(tcpActivity('')).to.equal(undefined);
    expect(tcpActivity('Ip: Forwarding\nIp: 1\n')).to.equal(undefined);
    expect(tcpActivity(snmp('1 200 120000 -1 100'))).to.equal(undefined);
    expect(tcpActivity(snmp('1 200 120000 -1 x 100 0 0 200 1 1 1 0 1 0'))).to.equal(undefined);
    expect(namespaceActivity(snmp(idle), 'garbage', sockstat6)).to.equal(undefined);
    expect(namespaceActivity(snmp(idle), sockstat, 'garbage')).to.equal(undefined);
  });

  it('moves when a listener opens (sockstat) and tells a kernel without IPv6 apart', () => {
    const before = namespaceActivity(snmp(idle), sockstat, sockstat6);
    expect(before).to.equal('100 100 0 0 200 201 0');
    expect(namespaceActivity(snmp(idle), sockstat.replace('inuse 201', 'inuse 202'), sockstat6)).to.not.equal(before);
    expect(namespaceActivity(snmp(idle), sockstat, undefined)).to.equal('100 100 0 0 200 201 -');
  });

  it('reuses a read while the activity is unchanged and younger than the bound, never after', () => {
    const reuse = new ScanReuse(10_000);
    expect(reuse.reusable('net:[1]', 'a', 1_000)).to.equal(undefined);
    reuse.remember('net:[1]', 'a', [connection('10.1.0.1', 1_000)], 1_000);
    expect(reuse.reusable('net:[1]', 'a', 5_000)).to.deep.equal([{ clientIP: '10.1.0.1', serverIP: '10.0.0.9', serverPort: 80, source: 'SocketScan' }]);
    expect(reuse.reusable('net:[1]', 'b', 5_000)).to.equal(undefined);
    expect(reuse.reusable('net:[1]', undefined, 5_000)).to.equal(undefined);
    expect(reuse.reusable('net:[2]', 'a', 5_000)).to.equal(undefined);
    expect(reuse.reusable('net:[1]', 'a', 11_000)).to.equal(undefined);
    // A clock that went back does not stretch the bound.
    expect(reuse.reusable('net:[1]', 'a', 500)).to.equal(undefined);
  });

  it('does not reuse a read that saw sockets in SYN_SENT (one may become established while another closes)', () => {
    const reuse = new ScanReuse(10_000);
    reuse.remember('net:[1]', 'a', [connection('10.1.0.1', 1_000)], 1_000, 1);
    expect(reuse.reusable('net:[1]', 'a', 2_000)).to.equal(undefined);
    reuse.remember('net:[1]', 'a', [connection('10.1.0.1', 2_000)], 2_000, 0);
    expect(reuse.reusable('net:[1]', 'a', 3_000)).to.have.length(1);
  });

  it('reads every time with a bound of 0, forgets an unreadable activity and namespaces that are gone', () => {
    const never = new ScanReuse(0);
    never.remember('net:[1]', 'a', [], 1_000);
    expect(never.reusable('net:[1]', 'a', 1_000)).to.equal(undefined);

    const reuse = new ScanReuse(10_000);
    reuse.remember('net:[1]', 'a', [], 1_000);
    reuse.remember('net:[2]', 'a', [], 1_000);
    reuse.remember('net:[1]', undefined, [], 2_000);
    expect(reuse.reusable('net:[1]', 'a', 2_000)).to.equal(undefined);
    reuse.prune(new Set(['net:[3]']));
    expect(reuse.size).to.equal(0);
  });
});
