import { cpus } from 'node:os';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/shared/logger.js';
import { startSocketScanner } from '../../src/sniffer/shell/socket-scan/socket-scanner.js';
import { deleteNamespaces } from '../../test/support/netns/topology.js';
import { createScanLoad } from './support/scan-load.js';

/**
 * One scanOnce() over 100 real network namespaces with 100 established connections each (and
 * whatever else runs on this machine), repeated; target under 50 ms.
 */
const namespaces = Number(process.env.BENCH_NAMESPACES ?? 100);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const runs = Number(process.env.BENCH_RUNS ?? 20);
const prefix = 'nmbs';

console.log(`# node dist/bench/sniffer/socket-scan.bench.js  (BENCH_NAMESPACES=${namespaces} BENCH_CONNECTIONS=${connections} BENCH_RUNS=${runs})`);
console.log(`# node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x ${cpus().length}`);
await deleteNamespaces(prefix);

async function measure(childEhashEntries: number): Promise<void> {
  const label = childEhashEntries > 0 ? `per-namespace TCP hash (tcp_child_ehash_entries=${childEhashEntries})` : 'kernel default (one TCP hash for all namespaces)';
  console.log(`\n## ${label}`);
  const created = Date.now();
  const load = await createScanLoad(prefix, namespaces, connections, childEhashEntries);
  console.log(`created ${namespaces} namespaces x ${connections} connections in ${((Date.now() - created) / 1000).toFixed(1)} s`);
  try {
    const found = new Set<string>();
    const scanner = startSocketScanner({
      procRoot: '/proc', intervalMs: 3_600_000, registry: new Registry(), logger: createLogger('bench', 'warn'),
      sink: { dnsAnswer: () => undefined, connection: (c) => found.add(`${c.clientIP}>${c.serverIP}:${c.serverPort}`) },
    });
    const times: number[] = [];
    let last;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await scanner.scanOnce();
      times.push(performance.now() - start);
      last = scanner.lastScan();
    }
    scanner.stop();
    const ours = load.addresses.filter((a) => found.has(`${a}>${a}:9000`)).length;
    times.sort((a, b) => a - b);
    const pick = (q: number) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(1);
    console.log(`namespaces read per scan: ${last?.namespaces}, tables read: ${last?.tablesRead} (skipped by sockstat: ${last?.tablesSkipped}); our namespaces reporting their connection: ${ours}/${namespaces}`);
    console.log(`last scan: ${last?.listMs.toFixed(1)} ms finding namespaces (/proc/<pid>/ns/net), ${last?.readMs.toFixed(1)} ms reading and parsing tables`);
    console.log(`scanOnce: median ${pick(0.5)} ms, p90 ${pick(0.9)} ms, min ${pick(0)} ms over ${runs} runs (target < 50 ms)`);
  } finally {
    await load.destroy();
  }
}

await measure(0);
await measure(Number(process.env.BENCH_CHILD_EHASH ?? 1024));
