import dnsPacket from 'dns-packet';
import { cpus } from 'node:os';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { decodeDnsResponse } from '../../src/sniffer/core/capture/dns-response.js';
import { decodePacket } from '../../src/sniffer/core/capture/packet-decoder.js';
import { ObservationBuffer } from '../../src/sniffer/core/observation-buffer.js';
import { packetRate } from './support/packet-rate.js';
import { dnsMessage, ipv4, ipv6, protocols, sll, udp } from '../../test/support/sniffer/packets.js';
import type { DnsMessageSpec } from '../../test/support/sniffer/packets.js';

/**
 * The DNS decoder alone, against dns-packet.decode on the same responses in the same run, and
 * the whole per-packet path (cooked capture header, IP, UDP, DNS) the capture runs.
 */
const responses: Buffer[] = [];
for (let i = 0; i < 1000; i++) {
  const spec: DnsMessageSpec = i % 3 === 0
    ? {
        compress: true,
        questions: [{ name: `www${i}.example.com` }],
        answers: [
          { name: `www${i}.example.com`, type: 'CNAME', data: `edge${i}.cdn.example.net` },
          { name: `edge${i}.cdn.example.net`, type: 'A', data: `192.0.2.${i % 250}` },
          { name: `edge${i}.cdn.example.net`, type: 'A', data: `198.51.100.${i % 250}` },
        ],
      }
    : i % 3 === 1
      ? { compress: true, questions: [{ name: `svc${i}.ns${i % 20}.svc.cluster.local` }], answers: [{ name: `svc${i}.ns${i % 20}.svc.cluster.local`, type: 'A', data: `10.96.${i % 250}.${i % 200}` }] }
      : { compress: true, questions: [{ name: `api${i}.example.org`, type: 'AAAA' }], answers: [{ name: `api${i}.example.org`, type: 'AAAA', data: `2001:db8::${i.toString(16)}` }] };
  responses.push(dnsMessage(spec));
}
const packets = responses.map((r, i) =>
  sll(i % 2 === 0
    ? ipv4('10.96.0.10', `10.244.${i % 250}.${i % 200}`, protocols.udp, udp(53, 40000 + i, r))
    : ipv6('fd00:10:96::a', `fd00:244::${i.toString(16)}`, protocols.udp, udp(53, 40000 + i, r))));

function rate(label: string, run: (input: Buffer) => unknown, inputs: Buffer[]): number {
  return packetRate(label, run, inputs, 'responses/s', 44);
}

console.log(`# node dist/bench/sniffer/dns-decode.bench.js  (node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores)`);
let sink = 0;
const rounds = 3;
const ratios: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const ours = rate(`round ${round}: decodeDnsResponse (ours)`, (b) => { const r = decodeDnsResponse(b, 0, b.length); if (r.ok) sink += r.ips.length; }, responses);
  const theirs = rate(`round ${round}: dns-packet.decode`, (b) => { sink += dnsPacket.decode(b).answers?.length ?? 0; }, responses);
  rate(`round ${round}: decodePacket (SLL+IP+UDP+DNS, ours)`, (b) => { const o = decodePacket(b, b.length, 'sll', 0); if (o.kind === 'dns') sink += o.answers.length; }, packets);
  ratios.push(ours / theirs);
  console.log(`round ${round}: ours / dns-packet = ${(ours / theirs).toFixed(1)}x`);
}
console.log(`median ratio ours / dns-packet: ${ratios.sort((a, b) => a - b)[Math.floor(rounds / 2)]?.toFixed(1)}x (checksum ${sink})`);

/*
 * Garbage per packet on the capture's path (decodePacket, then every answer into the
 * ObservationBuffer), counted as young-generation collections: with a fixed 1 MiB semi-space
 * (run with --min-semi-space-size=1 --max-semi-space-size=1) each one is ~1 MiB allocated.
 */
const buffer = new ObservationBuffer({ nodeName: 'bench', maxBytes: 16 << 20, startMs: Date.now() });
const toBuffer = (b: Buffer): void => {
  const o = decodePacket(b, b.length, 'sll', Date.now());
  if (o.kind === 'dns') for (const answer of o.answers) buffer.dnsAnswer(answer);
};
for (let i = 0; i < 200_000; i++) toBuffer(packets[i % packets.length] as Buffer);
let minorGcs = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcs++;
});
observer.observe({ entryTypes: ['gc'] });
const garbagePackets = 2_000_000;
for (let i = 0; i < garbagePackets; i++) toBuffer(packets[i % packets.length] as Buffer);
await new Promise((resolve) => setTimeout(resolve, 100));
observer.disconnect();
const fixedSemiSpace = process.execArgv.includes('--min-semi-space-size=1') && process.execArgv.includes('--max-semi-space-size=1');
console.log(`capture path into the buffer: ${minorGcs} young-generation collections for ${garbagePackets.toLocaleString('en-US')} packets${fixedSemiSpace ? `, ~${Math.round((minorGcs * 1024 * 1024) / garbagePackets)} bytes of garbage per packet` : ' (run with --min-semi-space-size=1 --max-semi-space-size=1 to read them as bytes)'}`);
