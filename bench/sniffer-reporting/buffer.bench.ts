import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ObservationBuffer } from '../../src/sniffer/core/observation-buffer.js';
import type { ObservedConnection, ObservedDnsAnswer } from '../../src/sniffer/core/observed.js';
import { ObservationWindow } from '../../src/sniffer/core/observation-window.js';

/*
 * The reporting core under load: how many capture events per second the buffer takes, whether
 * its memory estimate (what MAX_BUFFER_BYTES bounds) covers the heap it really uses, and how long
 * closing a full window takes.
 */
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const t0 = Date.UTC(2026, 10, 26, 4, 0, 0);

function ip(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function connections(n: number, distinct: number): ObservedConnection[] {
  return Array.from({ length: n }, (_, i) => ({ clientIP: ip(i % distinct), serverIP: '10.96.0.10', serverPort: 443, source: 'SYN' as const, seenAt: t0 + i }));
}

function answers(n: number, distinct: number): ObservedDnsAnswer[] {
  return Array.from({ length: n }, (_, i) => ({
    clientIP: ip(i % distinct), name: `svc-${i % 97}.shop.svc.cluster.local`, ips: [ip(1_000_000 + (i % 97))], ttlSeconds: 30, seenAt: t0 + i,
  }));
}

function throughput(label: string, events: number, feed: (buffer: ObservationBuffer) => void): void {
  const rounds = 5;
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const buffer = new ObservationBuffer({ nodeName: 'bench', maxBytes: 1e12, startMs: t0 });
    const start = process.hrtime.bigint();
    feed(buffer);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(events / seconds);
  }
  rates.sort((a, b) => a - b);
  console.log(`${label}: median ${Math.round(rates[2]!).toLocaleString('en')} events/s (min ${Math.round(rates[0]!).toLocaleString('en')}, ${rounds} rounds of ${events.toLocaleString('en')})`);
}

function estimateVersusHeap(label: string, records: number, fill: (window: ObservationWindow, i: number) => void): void {
  gc();
  const before = process.memoryUsage().heapUsed;
  const window = new ObservationWindow(t0);
  for (let i = 0; i < records; i++) fill(window, i);
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  console.log(
    `${label}: ${records.toLocaleString('en')} records, estimate ${(window.bytes / 1e6).toFixed(1)} MB, heap ${(heap / 1e6).toFixed(1)} MB, estimate/heap ${(window.bytes / heap).toFixed(2)}`,
  );
  (globalThis as { keep?: unknown }).keep = window;
}

const conn = connections(1_000_000, 10_000);
const dns = answers(1_000_000, 10_000);
throughput('connections into the buffer (10,000 distinct keys)', conn.length, (b) => conn.forEach((c) => b.connection(c)));
throughput('DNS answers into the buffer (10,000 clients x 97 names)', dns.length, (b) => dns.forEach((a) => b.dnsAnswer(a)));

estimateVersusHeap('connection records', 100_000, (w, i) =>
  w.addConnection({ clientIP: ip(i), serverIP: ip(5_000_000 + i), serverPort: 443, source: 'SYN', seenAt: t0 }),
);
estimateVersusHeap('DNS records, 1 IP each', 100_000, (w, i) =>
  w.addDns({ clientIP: ip(i), name: `svc-${i}.shop.svc.cluster.local`, ips: [ip(5_000_000 + i)], ttlSeconds: 30, seenAt: t0 }),
);
estimateVersusHeap('DNS records, 8 IPs each', 50_000, (w, i) =>
  w.addDns({ clientIP: ip(i), name: `svc-${i}.shop.svc.cluster.local`, ips: Array.from({ length: 8 }, (_, j) => ip(5_000_000 + i * 8 + j)), ttlSeconds: 30, seenAt: t0 }),
);

const full = new ObservationBuffer({ nodeName: 'bench', maxBytes: 32 * 1024 * 1024, startMs: t0 });
for (let i = 0; i < 1_000_000; i++) full.connection({ clientIP: ip(i), serverIP: '10.96.0.10', serverPort: 443, source: 'SYN', seenAt: t0 });
const held = full.records.connection;
const start = process.hrtime.bigint();
full.closeWindow(t0 + 10_000);
const parts = full.nextBatch()!.parts;
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(
  `a window at the default bound (32 MiB): ${held.toLocaleString('en')} connection records held, ${full.drops.connection.memory.toLocaleString('en')} events dropped, split into ${parts.length} parts in ${ms.toFixed(0)} ms`,
);
console.log('command: node dist/bench/sniffer-reporting/buffer.bench.js');
