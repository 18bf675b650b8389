import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { lookup, type Zone } from './internet-dns-zone.js';

const ttlSeconds = 5;

/** The reply to one query message; undefined when it cannot be decoded (nothing is sent). */
export function answer(zone: Zone, message: Buffer): Buffer | undefined {
  let query: Packet;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return undefined;
  }
  const question = query.questions?.[0];
  const result = question ? lookup(zone, question.name, question.type) : { rcode: 'NXDOMAIN' as const, answers: [] };
  return dnsPacket.encode({
    id: query.id ?? 0,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (result.rcode === 'NXDOMAIN' ? 3 : 0),
    questions: query.questions ?? [],
    answers: result.answers.map((a) => ({ name: a.name, type: a.type, ttl: ttlSeconds, data: a.data })),
  });
}

/** DNS over TCP: each message behind a two-byte length, several per connection. */
function serveTcp(zone: Zone, socket: TcpSocket): void {
  let pending = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const length = pending.readUInt16BE(0);
      const reply = answer(zone, pending.subarray(2, 2 + length));
      pending = pending.subarray(2 + length);
      if (!reply) {
        socket.destroy();
        return;
      }
      const framed = Buffer.alloc(2 + reply.length);
      framed.writeUInt16BE(reply.length, 0);
      reply.copy(framed, 2);
      socket.write(framed);
    }
  });
}

/**
 * The local internet's resolver: what CoreDNS's `forward` reaches, as a cluster's upstream
 * resolver would be. Authoritative for nothing in the cluster: only the internet names.
 */
export async function serveUpstreamDns(zone: Zone, address: string, port = 53): Promise<{ udp: ReturnType<typeof createSocket>; tcp: Server }> {
  const udp = createSocket('udp4');
  udp.on('message', (message, remote) => {
    const reply = answer(zone, message);
    if (reply) udp.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, address, () => resolve());
  });
  const tcp = createServer((socket) => serveTcp(zone, socket));
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, address, () => resolve());
  });
  return { udp, tcp };
}
