import { expect } from 'chai';
import { namespaceConnections } from '../../../src/sniffer/core/socket-scan/namespace-connections.js';
import { parseProcNetTcp } from '../../../src/sniffer/core/socket-scan/proc-net-tcp.js';

const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (slot: number, local: string, remote: string, state: string) =>
  `  ${slot}: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000     0        0 ${1000 + slot} 1 0000000000000000 20 4 30 10 -1\n`;
const header6 = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('sniffer /proc/net/tcp parsing', () => {
  it('reads IPv4 rows (addresses in host byte order, ports in network order)', () => {
    const table = header +
      row(0, '00000000:1F90', '00000000:0000', '0A') + // 0.0.0.0:8080 LISTEN
      row(1, '0501F40A:A410', '0A00600A:01BB', '01') + // 10.244.1.5:42000 -> 10.96.0.10:443
      row(2, '0100007F:0035', '00000000:0000', '07') + // closed, skipped
      row(3, '0501F40A:A411', '0A00600A:01BB', '02'); // SYN_SENT: counted, not a row
    expect(parseProcNetTcp(table)).to.deep.equal({
      rows: [
        { state: 'listen', localIP: '0.0.0.0', localPort: 8080, remoteIP: '0.0.0.0', remotePort: 0 },
        { state: 'established', localIP: '10.244.1.5', localPort: 42000, remoteIP: '10.96.0.10', remotePort: 443 },
      ],
      malformed: [],
      connecting: 1,
    });
    expect(parseProcNetTcp(header + row(0, '0A00600A:01BB', '0501F40A:A410', '01'), 'BE').rows[0])
      .to.include({ localIP: '10.0.96.10', remoteIP: '5.1.244.10' });
  });

  it('reads IPv6 rows word by word and writes IPv4-mapped addresses as IPv4', () => {
    const table = header6 +
      // fd00:244:1::5 port 42001 -> fd00:10:96::a port 443
      row(0, '440200FD000001000000000005000000:A411', '100000FD00009600000000000A000000:01BB', '01') +
      // ::ffff:10.244.1.5 port 42002 -> ::ffff:10.96.0.10 port 80
      row(1, '0000000000000000FFFF00000501F40A:A412', '0000000000000000FFFF00000A00600A:0050', '01') +
      row(2, '00000000000000000000000000000000:1F90', '00000000000000000000000000000000:0000', '0A');
    expect(parseProcNetTcp(table).rows).to.deep.equal([
      { state: 'established', localIP: 'fd00:244:1::5', localPort: 42001, remoteIP: 'fd00:10:96::a', remotePort: 443 },
      { state: 'established', localIP: '10.244.1.5', localPort: 42002, remoteIP: '10.96.0.10', remotePort: 80 },
      { state: 'listen', localIP: '::', localPort: 8080, remoteIP: '::', remotePort: 0 },
    ]);
  });

  it('counts malformed lines and keeps the rest', () => {
    const table = header +
      'garbage\n' +
      row(1, '0501F40A', '0A00600A:01BB', '01') +
      row(2, '0501F40A:A410', 'XYZ00600A:01BB', '01') +
      row(3, '0501F40A:A410', '0A00600A:01B', '01') +
      row(4, '0501F40A:A410', '0A00600A:01BB', 'Q1') +
      row(5, '0501F40A:A410', '0A00600A:01BB', '01');
    const parsed = parseProcNetTcp(table);
    expect(parsed.malformed).to.deep.equal(['proc-bad-line', 'proc-bad-address', 'proc-bad-address', 'proc-bad-address', 'proc-bad-line']);
    expect(parsed.rows).to.have.length(1);
    expect(parseProcNetTcp('')).to.deep.equal({ rows: [], malformed: [], connecting: 0 });
  });

  it('reports client ends with the remote port and skips server ends and loopback', () => {
    const table = parseProcNetTcp(header +
      row(0, '00000000:1F90', '00000000:0000', '0A') + // LISTEN 8080
      row(1, '0501F40A:1F90', '0901F40A:B000', '01') + // accepted on 8080: server end
      row(2, '0501F40A:A410', '0A00600A:01BB', '01') + // client to 10.96.0.10:443
      row(3, '0501F40A:A411', '0A00600A:01BB', '01') + // a second socket to the same server
      row(4, '0100007F:A412', '0100007F:1F90', '01')); // loopback
    const tcp6 = parseProcNetTcp(header6 + row(0, '0000000000000000FFFF00000501F40A:A413', '0000000000000000FFFF00000B00600A:0050', '01'));
    expect(namespaceConnections([...table.rows, ...tcp6.rows], 5)).to.deep.equal([
      { clientIP: '10.244.1.5', serverIP: '10.96.0.10', serverPort: 443, source: 'SocketScan', seenAt: 5 },
      { clientIP: '10.244.1.5', serverIP: '10.96.0.11', serverPort: 80, source: 'SocketScan', seenAt: 5 },
    ]);
  });
});
