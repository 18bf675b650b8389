import { readdir, readFile, readlink } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/shared/logger.js';
import { namespaceConnections } from '../../src/sniffer/core/socket-scan/namespace-connections.js';
import { parseProcNetTcp } from '../../src/sniffer/core/socket-scan/proc-net-tcp.js';
import { startSocketScanner } from '../../src/sniffer/shell/socket-scan/socket-scanner.js';
import { deleteNamespaces } from '../../test/support/netns/topology.js';
import { createScanLoad } from './support/scan-load.js';

/**
 * How the scanner read before it stopped at each table's end and skipped empty families (commit
 * a8a14d4): fs.readFile of tcp and tcp6 through one process per namespace, 16 namespaces at a
 * time. Kept here so that every run compares both on the same machine at the same moment.
 */
async function previousScan(): Promise<number> {
  const byNamespace = new Map<string, string>();
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const link = await readlink(`/proc/${pid}/ns/net`).catch(() => undefined);
    if (link !== undefined && !byNamespace.has(link)) byNamespace.set(link, pid);
  }
  const pids = [...byNamespace.values()];
  let next = 0;
  let connections = 0;
  const worker = async (): Promise<void> => {
    while (next < pids.length) {
      const pid = pids[next++] as string;
      const tables = await Promise.all(['tcp', 'tcp6'].map((t) => readFile(`/proc/${pid}/net/${t}`, 'latin1').catch(() => '')));
      connections += namespaceConnections(tables.flatMap((t) => parseProcNetTcp(t).rows), Date.now()).length;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return connections;
}

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
    const before: number[] = [];
    let last;
    // Alternating, so that both see the same machine load.
    for (let i = 0; i < runs; i++) {
      let start = performance.now();
      await scanner.scanOnce();
      times.push(performance.now() - start);
      last = scanner.lastScan();
      start = performance.now();
      await previousScan();
      before.push(performance.now() - start);
    }
    scanner.stop();
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const ours = load.addresses.filter((a) => found.has(`${a}>${a}:9000`)).length;
    times.sort((a, b) => a - b);
    const pick = (q: number) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(1);
    console.log(`namespaces read per scan: ${last?.namespaces}, tables read: ${last?.tablesRead} (skipped by sockstat: ${last?.tablesSkipped}); our namespaces reporting their connection: ${ours}/${namespaces}`);
    console.log(`last scan: ${last?.listMs.toFixed(1)} ms finding namespaces (/proc/<pid>/ns/net), ${last?.readMs.toFixed(1)} ms reading and parsing tables`);
    console.log(`scanOnce: median ${pick(0.5)} ms, p90 ${pick(0.9)} ms, min ${pick(0)} ms over ${runs} runs (target < 50 ms)`);
    console.log(`previous way (readFile of both tables, 16 namespaces at a time), same runs: median ${median(before).toFixed(1)} ms; ratio ${(median(before) / median(times)).toFixed(1)}x`);
  } finally {
    await load.destroy();
  }
}

await measure(0);
await measure(Number(process.env.BENCH_CHILD_EHASH ?? 1024));
