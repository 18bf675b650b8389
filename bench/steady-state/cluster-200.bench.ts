import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/shared/logger.js';
import { startReporting, type Reporting } from '../../src/sniffer/shell/reporting/start-reporting.js';
import { startControlPlane } from '../../test/support/control-plane.js';
import { installCrds } from '../../test/support/crds.js';
import { snifferClient } from '../../test/support/sniffer-kube.js';
import { snifferKubeConfig } from '../../test/support/sniffer-rbac.js';
import { sumMetric } from '../../test/support/metrics.js';
import { startOperatorProcess } from '../operator/operator-process.js';
import { componentNodeFlags } from '../support/node-flags.js';
import { serviceIp, syntheticCluster } from '../operator/synthetic-cluster.js';
import { createSyntheticObjects } from '../operator/synthetic-objects.js';
import { countingWrites, type WriteCount } from './counting-client.js';
import { demoNode, feedDemoSecond } from './demo-load.js';

/*
 * A simulated cluster of BENCH_NODES (200) nodes on the real API server: 1,000 Running pods in 100
 * Deployments (5 a node) with Services and EndpointSlices, the operator's real main.js with its
 * defaults, and one synthetic sniffer per node: the real reporting path (startReporting, the
 * sniffer's own client, as its ServiceAccount, 10 s windows, REREPORT_SECONDS from
 * BENCH_REREPORT_SECONDS, default 300) fed the demo-like load of demo-load.ts for its pods.
 * Runs BENCH_STEADY_SECONDS (default 330: the first reports, the quiet, the first re-reports) and
 * reports the operator's CPU and memory, the writes, and etcd's size (its db file, and the whole
 * data directory of the control plane, WAL included).
 * Run: node dist/bench/steady-state/cluster-200.bench.js (about 7 minutes).
 */
const nodes = Number(process.env.BENCH_NODES ?? 200);
const podsPerNode = 5;
const steadyMs = Number(process.env.BENCH_STEADY_SECONDS ?? 330) * 1000;
const rereportSeconds = Number(process.env.BENCH_REREPORT_SECONDS ?? 300);
/** The operator's Node flags: the Deployment's by default. */
const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? componentNodeFlags('operator').join(' ');
const namespace = 'network-mapper';

const cp = await startControlPlane();
const stops: (() => Promise<void>)[] = [];
try {
  const admin = cp.admin();
  await installCrds(admin);
  const core = admin.makeApiClient(CoreV1Api);
  const layout = syntheticCluster({ workloads: (nodes * podsPerNode) / 10, podsPerWorkload: 10, records: 0, at: 0 });
  for (const ns of [namespace, ...new Set(layout.workloads.map((w) => w.namespace))]) await core.createNamespace({ body: { metadata: { name: ns } } });
  const setupBegan = Date.now();
  // Few requests at once: the shared machine's API server closed HTTP/2 connections under 240.
  await createSyntheticObjects(admin, layout.workloads, 6, (w, p) => `node-${Math.floor((layout.workloads.indexOf(w) * 10 + p) / podsPerNode)}`);
  process.stderr.write(`set-up: ${layout.workloads.length * 10} pods in ${((Date.now() - setupBegan) / 1000).toFixed(1)} s\n`);
  const sniffer = await snifferKubeConfig(cp, namespace);

  // etcd's bbolt file: what etcd's db size metric reports; it grows until a defragmentation.
  const storage = async (): Promise<number> => statSync(join(cp.dataDir, 'etcd', 'member', 'snap', 'db')).size;
  const dataDirBytes = (): number => Number(execFileSync('du', ['-sb', cp.dataDir], { encoding: 'utf8' }).split('\t')[0]);
  const countObjects = async (): Promise<number> =>
    ((await admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace })) as { items: unknown[] }).items.length;

  // As deployed (image/node-flags); both flags are allowed in NODE_OPTIONS.
  const operator = await startOperatorProcess(cp.kubeconfigPath, { NODE_OPTIONS: nodeOptions });
  stops.push(() => operator.stop());
  const before = { cpu: operator.cpuSeconds(), storage: await storage(), dataDir: dataDirBytes(), at: Date.now() };

  const count: WriteCount = { requests: 0, bytes: 0 };
  const reporters: Reporting[] = [];
  const demo = Array.from({ length: nodes }, (_, n) => demoNode(n, podsPerNode, Array.from({ length: 8 }, (_, s) => serviceIp((n * 3 + s) % layout.workloads.length))));
  for (let n = 0; n < nodes; n++) {
    reporters.push(startReporting({
      kube: countingWrites(snifferClient(sniffer), count),
      namespace,
      nodeName: `node-${n}`,
      windowMs: 10_000,
      maxBufferBytes: 16 << 20,
      maxPendingObjects: 100,
      rereportMs: rereportSeconds * 1000,
      registry: new Registry(),
      logger: createLogger('steady-bench', 'error'),
    }));
  }
  let second = 0;
  let peakRss = 0;
  let maxObjects = 0;
  const feeder = setInterval(() => {
    const now = Date.now();
    reporters.forEach((r, n) => feedDemoSecond(r.buffer, demo[n]!, second, now));
    second++;
    peakRss = Math.max(peakRss, operator.rssMiB());
  }, 1000);
  const objectSampler = setInterval(() => void countObjects().then((c) => (maxObjects = Math.max(maxObjects, c)), () => undefined), 5000);
  await new Promise((r) => setTimeout(r, steadyMs));
  clearInterval(feeder);
  clearInterval(objectSampler);
  const elapsed = (Date.now() - before.at) / 1000;
  const cpu = operator.cpuSeconds() - before.cpu;
  const metrics = await operator.metricsText();
  // A loaded API server may fail this one list: the run's figures are still worth printing.
  const after = { storage: await storage(), dataDir: dataDirBytes(), objects: await countObjects().catch(() => Number.NaN) };
  await Promise.all(reporters.map((r) => r.reporter.stop()));

  const writes = (resource: string): number => sumMetric(metrics, 'netmap_writes_total', { resource });
  const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);
  console.log('command: node dist/bench/steady-state/cluster-200.bench.js');
  console.log(`cluster: ${nodes} nodes, ${nodes * podsPerNode} pods in ${layout.workloads.length} Deployments; REREPORT_SECONDS=${rereportSeconds}; operator NODE_OPTIONS="${nodeOptions}"; ${elapsed.toFixed(0)} s of steady load`);
  console.log(`sniffers: ${count.requests} writes, ${mib(count.bytes)} MiB (${Math.round((count.bytes / nodes / elapsed) * 3600 / 1024)} KiB/node/hour); NetworkObservations present at most ${maxObjects}, at the end ${after.objects}`);
  console.log(`operator writes: observations status ${writes('networkobservations/status')}, deletes ${writes('networkobservations')}, ClientIntents ${writes('clientintents')}, status ${writes('clientintents/status')}; processed ${sumMetric(metrics, 'netmap_observations_processed_total', { result: 'processed' })}`);
  console.log(`operator: CPU ${cpu.toFixed(1)} s in ${elapsed.toFixed(0)} s (${((cpu / elapsed) * 100).toFixed(1)}% of one core); RSS peak ${peakRss.toFixed(0)} MiB, VmHWM ${operator.hwmMiB().toFixed(0)} MiB`);
  console.log(`etcd: db file ${mib(before.storage)} -> ${mib(after.storage)} MiB; control plane data dir ${mib(before.dataDir)} -> ${mib(after.dataDir)} MiB`);
} finally {
  for (const stop of stops) await stop();
  await cp.stop();
}
