import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deleteNamespaces, NetnsProcess, Topology } from '../../test/support/netns/topology.js';
import { addNodeWithSender } from '../../test/support/netns/node-with-sender.js';
import { slotted, slottedOctet, slottedPort } from '../../test/support/test-slot.js';
import { createScanLoad } from './support/scan-load.js';
import { benchCleanUp, type BenchParts } from './support/bench-cleanup.js';
import { summarize, type MemorySample, type PhaseSummary } from './support/memory-samples.js';
import { startNodeApiServer } from './support/node-api-server.js';
import { cpuSeconds, deployed, fetchInNamespace, parseMetrics, readStatus, snifferMain } from './support/deployed-sniffer.js';

/*
 * Resident memory of the REAL sniffer process (`node dist/src/sniffer/main.js`) as deployed: the
 * node flags from image/node-flags and the environment from config/sniffer/sniffer-daemonset.yaml; only what a bench must
 * is overridden (API server, node and namespace names, PROC_ROOT=/proc, the HTTP port, the log
 * level). It runs in a "node" network namespace, captures on `any`, scans every namespace of the
 * machine (100 namespaces x 100 connections added) and writes NetworkObservations to a private
 * test control plane as its ServiceAccount; an operator stand-in deletes them every second.
 * Phases: idle (scan load present, no DNS) then 50,000 DNS responses/s from a sender namespace
 * over a veth. /proc/<pid>/status is sampled every 100 ms.
 * Run (root): node dist/bench/sniffer/sniffer-memory.bench.js
 * BENCH_RUNS=0,2 picks configurations (below); BENCH_IDLE_SECONDS (20), BENCH_LOAD_SECONDS (30,
 * at most 30), BENCH_RATE (50000), BENCH_CHILD_EHASH (0 = the kernel's one TCP hash for all
 * namespaces, the default; 1024 = one per namespace), BENCH_PIN=0 (no CPU pinning) change it;
 * BENCH_REPEAT=2 runs the chosen configurations twice, interleaved (the machine is noisy);
 * BENCH_BEFORE_MAIN=<path of another build's dist/src/sniffer/main.js> enables the last run.
 * First, the floor: node alone, and node with the sniffer's modules imported but nothing started.
 */
interface Run {
  label: string;
  /** Runs the main.js named by BENCH_BEFORE_MAIN (another build) instead of this one's; skipped without it. */
  before?: boolean;
  /** Node flags added to (or, with `flags`, replacing) the deployed ones (image/node-flags). */
  extraFlags?: string[];
  flags?: string[];
  env?: Record<string, string>;
}
const ring4 = { PCAP_BUFFER_BYTES: String(4 << 20) };
const ring16 = { PCAP_BUFFER_BYTES: String(16 << 20) };
const semi = ['--max-semi-space-size=1'];
const chosen = [...semi, '--heap-growing-percent=10', '--max-opt=2'];
/*
 * 0 is what the manifest says; 1 is the deployment before bench/sniffer/RESULTS.md §5 (16 MiB
 * ring, only --max-semi-space-size=1); the others change one thing at a time. Configurations
 * that set `flags` replace the deployed flags; `env` overrides the manifest's variables.
 */
const runs: Run[] = [
  { label: 'as deployed (image/node-flags, config/sniffer/sniffer-daemonset.yaml)' },
  { label: 'before: 16 MiB ring, --max-semi-space-size=1', flags: semi, env: ring16 },
  { label: '4 MiB ring, --max-semi-space-size=1', flags: semi, env: ring4 },
  { label: '4 MiB, + --heap-growing-percent=10', flags: [...semi, '--heap-growing-percent=10'], env: ring4 },
  { label: '4 MiB, + --heap-growing-percent=20', flags: [...semi, '--heap-growing-percent=20'], env: ring4 },
  { label: '4 MiB, + --heap-growing-percent=10 --max-opt=2 (no TurboFan)', flags: chosen, env: ring4 },
  { label: '4 MiB, + --heap-growing-percent=20 --max-opt=2', flags: [...semi, '--heap-growing-percent=20', '--max-opt=2'], env: ring4 },
  { label: '4 MiB, + --single-threaded-gc', flags: [...semi, '--single-threaded-gc'], env: ring4 },
  { label: '4 MiB, + --initial-old-space-size=8', flags: [...semi, '--initial-old-space-size=8'], env: ring4 },
  { label: '4 MiB, + --optimize-for-size', flags: [...semi, '--optimize-for-size'], env: ring4 },
  { label: '4 MiB, + MALLOC_ARENA_MAX=2', flags: semi, env: { ...ring4, MALLOC_ARENA_MAX: '2' } },
  { label: '4 MiB, + UV_THREADPOOL_SIZE=2', flags: semi, env: { ...ring4, UV_THREADPOOL_SIZE: '2' } },
  { label: 'run 5 + --v8-pool-size=1', flags: [...chosen, '--v8-pool-size=1'], env: ring4 },
  { label: 'run 5 + MALLOC_ARENA_MAX=2', flags: chosen, env: { ...ring4, MALLOC_ARENA_MAX: '2' } },
  { label: 'run 5, SCAN_INTERVAL_SECONDS=3600 (no socket scan: what the scan costs)', flags: chosen, env: { ...ring4, SCAN_INTERVAL_SECONDS: '3600' } },
  { label: 'run 5, BENCH_BEFORE_MAIN (another build of main.js, e.g. before a change)', flags: chosen, env: ring4, before: true },
  { label: 'run 5, SCAN_INTERVAL_SECONDS=5', flags: chosen, env: { ...ring4, SCAN_INTERVAL_SECONDS: '5' } },
];
const repeat = Number(process.env.BENCH_REPEAT ?? 1);

const root = join(import.meta.dirname, '..', '..', '..');
const support = (name: string) => fileURLToPath(new URL(`./support/${name}.js`, import.meta.url));
const only = process.env.BENCH_RUNS?.split(',').map(Number);
const beforeMain = process.env.BENCH_BEFORE_MAIN;
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
const loadSeconds = Math.min(Number(process.env.BENCH_LOAD_SECONDS ?? 30), 30);
const rate = Number(process.env.BENCH_RATE ?? 50_000);
const childEhash = Number(process.env.BENCH_CHILD_EHASH ?? 0);
const pin = process.env.BENCH_PIN !== '0';
const namespace = 'netmap-bench-memory';
// Slotted (test/support/test-slot.ts) so that runs from several checkouts do not meet.
const httpPort = slottedPort(9478);
const prefix = slotted('nmbm');
const scanPrefix = slotted('nmbk');
const net24 = `10.${slottedOctet(210)}.0`;
/** The sniffer being measured, stopped by the clean-up when the benchmark is interrupted. */
let running: NetnsProcess | undefined;

/** Node alone, and with what main.ts imports (nothing started), each after 3 s. */
async function floor(flags: string[]): Promise<string[]> {
  const modules = ['sniffer/shell/run-sniffer.js', 'sniffer/core/sniffer-config.js', 'shared/kube/load-kube-client-config.js', 'shared/env-config.js']
    .map((m) => JSON.stringify(pathToFileURL(join(root, 'dist', 'src', m)).href));
  const scripts: [string, string][] = [
    ['node alone', 'setInterval(() => {}, 1000);'],
    ["node + the sniffer's modules imported, nothing started", `${modules.map((m) => `await import(${m});`).join(' ')} setInterval(() => {}, 1000);`],
  ];
  const lines: string[] = [];
  for (const [label, script] of scripts) {
    const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', script], { stdio: 'ignore' });
    await sleep(3_000);
    const status = child.pid === undefined ? undefined : readStatus(child.pid);
    child.kill();
    if (status) lines.push(`floor, ${label} (node ${flags.join(' ')}): RSS ${mb(status.rss)} MB (anon ${mb(status.anon)}, file ${mb(status.file)})`);
  }
  return lines;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const base = deployed();
  console.log(`# node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x ${cpus().length}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`# deployed: node ${base.flags.join(' ')} dist/src/sniffer/main.js; ${Object.entries(base.env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  await deleteNamespaces(prefix);
  await deleteNamespaces(scanPrefix);
  const workDir = mkdtempSync(join(tmpdir(), 'netmap-sniffer-memory-'));
  const topology = new Topology(prefix);
  const parts: BenchParts = { topology, workDir };
  const cleanUp = benchCleanUp(parts, () => running);
  try {
    // The node: its own namespace, a sender behind a veth, a private API server.
    await addNodeWithSender(topology, net24);
    parts.api = await startNodeApiServer(topology, workDir, namespace);
    const { kubeconfig } = parts.api;

    const t0 = Date.now();
    parts.load = await createScanLoad(scanPrefix, 100, 100, childEhash);
    console.log(`# scan load: 100 namespaces x 100 connections (tcp_child_ehash_entries=${childEhash}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    for (const line of await floor(base.flags)) console.log(line);
    for (let round = 0; round < repeat; round++) for (const [i, run] of runs.entries()) {
      if (only && !only.includes(i)) continue;
      if (run.before && !beforeMain) continue;
      const flags = run.flags ?? [...base.flags, ...(run.extraFlags ?? [])];
      const env: Record<string, string> = {
        ...base.env,
        ...run.env,
        KUBECONFIG: kubeconfig,
        NODE_NAME: `bench-node-${i}-${topology.suffix}`,
        POD_NAMESPACE: namespace,
        PROC_ROOT: '/proc',
        CAPTURE_DEVICE: 'any',
        HTTP_PORT: String(httpPort),
        LOG_LEVEL: 'warn',
      };
      const result = await measure(topology, flags, env, run.before ? beforeMain : undefined);
      const changed = Object.entries(run.env ?? {}).map(([k, v]) => `${k}=${v} `).join('');
      const phase = (p: PhaseSummary) => `RSS ${mb(p.rssMedian)}/${mb(p.rssMax)} MB (anon ${mb(p.anonMedian)}/${mb(p.anonMax)}, file ${mb(p.fileMedian)}, shmem ${mb(p.shmemMax)})`;
      console.log(`${i} ${run.label}: idle ${phase(result.idle)}; load ${phase(result.load)}; sent ${result.sent}, pcap received ${result.pcapReceived}, dropped ${result.pcapDropped}, decoded ${result.decodedDns}`);
      console.log(`${i} ${JSON.stringify(result)}`);
      console.log(`${i} command: ${changed}node ${flags.join(' ')} dist/src/sniffer/main.js`);
    }
  } finally {
    await cleanUp();
  }
  console.log(`command: ${Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v} `).join('')}node dist/bench/sniffer/sniffer-memory.bench.js`);
}

interface RunResult {
  idle: PhaseSummary;
  load: PhaseSummary;
  sent: number;
  pcapReceived: number;
  pcapDropped: number;
  decodedDns: number;
  objectsWritten: number;
  droppedRecords: number;
  cpuSecondsUnderLoad: number;
  /** V8 heap used/total and the scanned namespaces at the end of each phase (the sniffer's default metrics). */
  heapMb: { idleUsed: number; idleTotal: number; loadUsed: number; loadTotal: number };
  namespacesScanned: number;
}

async function measure(topology: Topology, flags: string[], env: Record<string, string>, main = snifferMain): Promise<RunResult> {
  // `ip netns exec` and taskset exec the next program: the child's pid is node's.
  const child = spawn('ip', ['netns', 'exec', topology.ns('node'), ...(pin ? ['taskset', '-c', '1'] : []), process.execPath, ...flags, main], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env },
  });
  const sniffer = new NetnsProcess(child);
  running = sniffer;
  const pid = child.pid;
  if (pid === undefined) throw new Error('the sniffer did not start');
  try {
    const metrics = async (): Promise<Map<string, number>> =>
      parseMetrics((await fetchInNamespace(topology, 'node', `http://127.0.0.1:${httpPort}/metrics`)).body);
    // Ready = connected to the API server; then let a few scans and windows pass.
    for (let waited = 0; ; waited += 500) {
      if (child.exitCode !== null) throw new Error(`the sniffer exited with ${child.exitCode}: ${sniffer.stderr}`);
      const ready = await topology.exec('node', process.execPath, '-e', `
        fetch('http://127.0.0.1:${httpPort}/readyz').then((r) => process.stdout.write(String(r.status))).catch(() => process.stdout.write('0'));`);
      if (ready === '200') break;
      if (waited > 30_000) throw new Error(`the sniffer was not ready within 30 s: ${sniffer.stderr}`);
      await sleep(500);
    }
    await sleep(5_000);

    const samples: MemorySample[] = [];
    const sample = () => {
      const s = readStatus(pid);
      if (s) samples.push(s);
    };
    const sampler = setInterval(sample, 100);
    await sleep(idleSeconds * 1000);
    const idle = summarize(samples.splice(0));

    const before = await metrics();
    const cpuBefore = cpuSeconds(pid);
    const flood = await topology.exec('snd', ...(pin ? ['taskset', '-c', '0', process.execPath] : [process.execPath]) as [string, ...string[]],
      support('udp-flood'), `${net24}.2`, `${net24}.1`, String(rate), String(loadSeconds));
    // The last batch reaches the sniffer up to one read timeout later.
    await sleep(2_500);
    clearInterval(sampler);
    const cpuAfter = cpuSeconds(pid);
    const loaded = summarize(samples.splice(0));
    const after = await metrics();
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    const { sent } = JSON.parse(flood.trim()) as { sent: number };
    return {
      idle,
      load: loaded,
      sent,
      pcapReceived: delta('netmap_sniffer_pcap_received_total'),
      pcapDropped: delta('netmap_sniffer_pcap_dropped_total'),
      decodedDns: delta('netmap_sniffer_packets_total{kind="dns"}'),
      objectsWritten: after.get('netmap_sniffer_objects_written_total') ?? 0,
      droppedRecords: after.get('netmap_sniffer_dropped_records_total') ?? 0,
      cpuSecondsUnderLoad: Number((cpuAfter - cpuBefore).toFixed(2)),
      heapMb: {
        idleUsed: Number(mb(before.get('netmap_sniffer_nodejs_heap_size_used_bytes') ?? 0)),
        idleTotal: Number(mb(before.get('netmap_sniffer_nodejs_heap_size_total_bytes') ?? 0)),
        loadUsed: Number(mb(after.get('netmap_sniffer_nodejs_heap_size_used_bytes') ?? 0)),
        loadTotal: Number(mb(after.get('netmap_sniffer_nodejs_heap_size_total_bytes') ?? 0)),
      },
      namespacesScanned: after.get('netmap_sniffer_socket_scan_namespaces') ?? 0,
    };
  } finally {
    await sniffer.stop();
    running = undefined;
  }
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
