import { cpus } from 'node:os';
import { decodePacket } from '../../src/sniffer/core/capture/packet-decoder.js';
import { decodeHttpPacket } from '../../src/sniffer/core/http/http-packet.js';
import { ObservationBuffer } from '../../src/sniffer/core/observation-buffer.js';
import { packetRate } from './support/packet-rate.js';
import { dnsMessage, ipv4, ipv6, protocols, sll2, tcp, tcpFlags, udp } from '../../test/support/sniffer/packets.js';

/**
 * The HTTP capture's user-space cost per packet (issue 19): a request segment as the kernel filter
 * hands it over on `any` (cooked v2, cut at the 1024-byte snap length), through link, IP and TCP
 * headers, the request line, the path template and into the window, against the DNS path on
 * responses of one address in the same run. Run: node dist/bench/sniffer/http-decode.bench.js
 */
const targets = [
  (i: number) => `/api/v1/users/${i}`,
  (i: number) => `/api/v1/orders/${i}/items?expand=true&page=${i % 7}`,
  (i: number) => `/carts/3f2504e0-4f89-11d3-9a0c-${(i % 1_000_000).toString(16).padStart(12, '0')}`,
  () => '/healthz',
  (i: number) => `/static/app.${i % 13}.js`,
];
const requests = Array.from({ length: 1000 }, (_, i) => {
  const text = `${i % 4 === 0 ? 'POST' : 'GET'} ${targets[i % targets.length]!(i)} HTTP/1.1\r\nHost: cart.shop.svc.cluster.local\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n\r\n`;
  const segment = tcp(40000 + (i % 1000), 8080, tcpFlags.ACK | tcpFlags.PSH, Uint8Array.from(Buffer.from(text, 'latin1')));
  return sll2(i % 2 === 0 ? ipv4(`10.244.${i % 250}.${i % 200}`, '10.96.0.50', protocols.tcp, segment) : ipv6(`fd00:244::${i.toString(16)}`, 'fd00:10:96::50', protocols.tcp, segment));
});
const dns = Array.from({ length: 1000 }, (_, i) => {
  const message = dnsMessage({ compress: true, questions: [{ name: `svc${i}.ns${i % 20}.svc.cluster.local` }], answers: [{ name: `svc${i}.ns${i % 20}.svc.cluster.local`, type: 'A', data: `10.96.${i % 250}.${i % 200}` }] });
  return sll2(ipv4('10.96.0.10', `10.244.${i % 250}.${i % 200}`, protocols.udp, udp(53, 40000 + i, message)));
});

function rate(label: string, run: (input: Buffer) => unknown, inputs: Buffer[]): number {
  return packetRate(label, run, inputs, 'packets/s', 58);
}

console.log(`# node dist/bench/sniffer/http-decode.bench.js  (node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores)`);
let sink = 0;
for (let round = 1; round <= 3; round++) {
  const buffer = new ObservationBuffer({ nodeName: 'bench', maxBytes: 64 * 1024 * 1024, startMs: Date.now() });
  const http = rate(`round ${round}: decodeHttpPacket (SLL2+IP+TCP+request line+template)`, (b) => {
    const o = decodeHttpPacket(b, Math.min(b.length, 1024), 'sll2', 0, false);
    if (o.kind === 'http') sink += o.requests.length;
  }, requests);
  const intoWindow = rate(`round ${round}: the same, into the window`, (b) => {
    const o = decodeHttpPacket(b, Math.min(b.length, 1024), 'sll2', Date.now(), false);
    if (o.kind === 'http') for (const r of o.requests) buffer.httpRequest(r);
  }, requests);
  const dnsRate = rate(`round ${round}: decodePacket (SLL2+IP+UDP+DNS, one address)`, (b) => {
    const o = decodePacket(b, b.length, 'sll2', 0);
    if (o.kind === 'dns') sink += o.answers.length;
  }, dns);
  console.log(`round ${round}: HTTP request / DNS response time per packet: ${(dnsRate / http).toFixed(2)} (decode), ${(dnsRate / intoWindow).toFixed(2)} (into the window vs decode only)`);
}
if (sink < 0) console.log(sink);
