import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';

/**
 * A DNS client for tests: `dns-query <server> <udp|tcp> <type>:<name>...`. Over TCP all queries
 * go in one write on one connection; prints each response as a JSON line and exits.
 */
const [server = '', transport = 'udp', ...questions] = process.argv.slice(2);
const queries = questions.map((q, index) => {
  const [type, name] = q.split(':') as ['A' | 'AAAA', string];
  return dnsPacket.encode({ id: index + 1, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
});
const print = (packet: DecodedPacket) =>
  console.log(JSON.stringify({ id: packet.id, rcode: (packet as { rcode?: string }).rcode, answers: (packet.answers ?? []).map((a) => ('data' in a ? a.data : null)) }));
const timeout = setTimeout(() => { console.error('timeout'); process.exit(2); }, 5000);

if (transport === 'udp') {
  const socket = createSocket(isIPv6(server) ? 'udp6' : 'udp4');
  let remaining = queries.length;
  socket.on('message', (message) => {
    print(dnsPacket.decode(message));
    if (--remaining === 0) { clearTimeout(timeout); socket.close(); }
  });
  for (const query of queries) socket.send(query, 53, server);
} else {
  const socket = connect({ host: server, port: 53 }, () => {
    socket.write(Buffer.concat(queries.map((q) => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]))));
  });
  let pending = Buffer.alloc(0);
  let remaining = queries.length;
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const length = pending.readUInt16BE(0);
      print(dnsPacket.decode(pending.subarray(2, 2 + length)));
      pending = pending.subarray(2 + length);
      if (--remaining === 0) { clearTimeout(timeout); socket.end(); }
    }
  });
}
