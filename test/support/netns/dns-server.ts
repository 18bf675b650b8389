import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';

/**
 * A small authoritative DNS server for tests, run inside a namespace: answers from the zone given
 * as JSON (`{"name": [{"type": "A", "data": "..."}]}`), follows CNAMEs within the zone, answers
 * NXDOMAIN otherwise. Listens on UDP and TCP port 53 of every address, IPv4 and IPv6.
 */
type Zone = Record<string, { type: 'A' | 'AAAA' | 'CNAME'; data: string; ttl?: number }[]>;
const zone = JSON.parse(process.argv[2] ?? '{}') as Zone;

function answer(query: Packet): Buffer {
  const question = query.questions?.[0];
  const answers: Answer[] = [];
  let name = question?.name.toLowerCase() ?? '';
  for (let hop = 0; hop < 8 && zone[name]; hop++) {
    const records = zone[name] ?? [];
    const cname = records.find((r) => r.type === 'CNAME');
    if (cname) {
      answers.push({ name, type: 'CNAME', ttl: cname.ttl ?? 30, data: cname.data });
      name = cname.data;
      continue;
    }
    for (const r of records) if (r.type === question?.type) answers.push({ name, type: r.type, ttl: r.ttl ?? 30, data: r.data });
    break;
  }
  const known = zone[question?.name.toLowerCase() ?? ''] !== undefined;
  return dnsPacket.encode({
    id: query.id ?? 0,
    type: 'response',
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3),
    questions: query.questions ?? [],
    answers,
  });
}

const udp = createSocket({ type: 'udp6', ipv6Only: false });
udp.on('message', (message, remote) => {
  try {
    udp.send(answer(dnsPacket.decode(message)), remote.port, remote.address);
  } catch {
    // Not a DNS query: no answer, as a real server would do.
  }
});
udp.bind(53, '::');

const tcp = createServer((socket) => {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    const replies: Buffer[] = [];
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const length = pending.readUInt16BE(0);
      const reply = answer(dnsPacket.decode(pending.subarray(2, 2 + length)));
      replies.push(Buffer.from([reply.length >> 8, reply.length & 0xff]), reply);
      pending = pending.subarray(2 + length);
    }
    // All answers to the queries of one read leave in one write: several messages per segment.
    if (replies.length > 0) socket.write(Buffer.concat(replies));
  });
  socket.on('error', () => socket.destroy());
});
tcp.listen({ port: 53, host: '::', ipv6Only: false }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
