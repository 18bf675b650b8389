import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startControlPlane } from '../../test/support/control-plane.js';
import { installCrds } from '../../test/support/crds.js';
import { snifferKubeConfig } from '../../test/support/sniffer-rbac.js';

/*
 * Resident memory of the sniffer's reporting path against a real API server (the test control
 * plane): reporting-process.js runs what main.ts wires, as the sniffer ServiceAccount, idle, under
 * a steady synthetic load fed into the sink (BENCH_EVENTS_PER_SECOND, default 50,000/s), and
 * under a flood of distinct records that fills the buffer to MAX_BUFFER_BYTES. This benchmark
 * stands in for the operator by deleting the written NetworkObservations every second.
 * The captures themselves (libpcap ring, packet decoding, socket scan) are not running here:
 * their libraries are loaded, their memory at work is measured by the capture benchmarks.
 * Run: node dist/bench/sniffer-reporting/reporting-memory.bench.js (about 6 minutes: 5 runs of ~50 s
 * plus the control plane's start).
 * BENCH_RUNS=0,2 picks runs; BENCH_REPORTING_PROCESS=<path> runs another build's reporting-process.js
 * (how the numbers before this client replaced @kubernetes/client-node were taken);
 * BENCH_IDLE_MS, BENCH_LOAD_MS, BENCH_FLOOD_MS, BENCH_EVENTS_PER_SECOND change the phases.
 */
const runs: { label: string; nodeFlags: string[]; maxBufferBytes: number }[] = [
  { label: 'node defaults, MAX_BUFFER_BYTES 32 MiB', nodeFlags: [], maxBufferBytes: 32 << 20 },
  { label: '--max-semi-space-size=1, MAX_BUFFER_BYTES 32 MiB', nodeFlags: ['--max-semi-space-size=1'], maxBufferBytes: 32 << 20 },
  { label: '--max-semi-space-size=1, MAX_BUFFER_BYTES 16 MiB', nodeFlags: ['--max-semi-space-size=1'], maxBufferBytes: 16 << 20 },
  { label: '--max-semi-space-size=1, MAX_BUFFER_BYTES 8 MiB', nodeFlags: ['--max-semi-space-size=1'], maxBufferBytes: 8 << 20 },
  { label: '--max-semi-space-size=1 --optimize-for-size, MAX_BUFFER_BYTES 16 MiB', nodeFlags: ['--max-semi-space-size=1', '--optimize-for-size'], maxBufferBytes: 16 << 20 },
  {
    label: '--max-semi-space-size=1 --heap-growing-percent=10 --max-opt=2, MAX_BUFFER_BYTES 16 MiB (deploy/sniffer-daemonset.yaml since bench/sniffer/RESULTS.md §5)',
    nodeFlags: ['--max-semi-space-size=1', '--heap-growing-percent=10', '--max-opt=2'],
    maxBufferBytes: 16 << 20,
  },
];
const only = process.env.BENCH_RUNS?.split(',').map(Number);
const namespace = 'netmap-bench';
const child = process.env.BENCH_REPORTING_PROCESS ?? join(import.meta.dirname, 'reporting-process.js');

const controlPlane = await startControlPlane();
const dir = mkdtempSync(join(tmpdir(), 'netmap-reporting-bench-'));
try {
  const admin = controlPlane.admin();
  await installCrds(admin);
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, (await snifferKubeConfig(controlPlane, namespace)).exportConfig(), { mode: 0o600 });
  const custom = admin.makeApiClient(CustomObjectsApi);
  const operatorStandIn = setInterval(() => {
    custom.deleteCollectionNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace }).catch(() => undefined);
  }, 1_000);

  for (const [i, run] of runs.entries()) {
    if (only && !only.includes(i)) continue;
    const result = await runChild(run.nodeFlags, {
      KUBECONFIG: kubeconfig,
      NODE_NAME: `bench-node-${i}`,
      POD_NAMESPACE: namespace,
      WINDOW_SECONDS: '2',
      MAX_BUFFER_BYTES: String(run.maxBufferBytes),
      LOG_LEVEL: 'error',
    });
    console.log(`${i} ${run.label}: ${result}`);
  }
  clearInterval(operatorStandIn);
} finally {
  await controlPlane.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`command: ${Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v} `).join('')}node dist/bench/sniffer-reporting/reporting-memory.bench.js (node ${process.version})`);

function runChild(nodeFlags: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [...nodeFlags, child], { env: { PATH: process.env.PATH ?? '', ...pick(process.env, /^BENCH_/), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    process_.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    process_.on('error', reject);
    process_.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`reporting-process exited with ${code}`))));
  });
}

function pick(env: NodeJS.ProcessEnv, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => pattern.test(e[0]) && e[1] !== undefined));
}
