import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { ClusterIndex } from '../../src/operator/core/cluster-index.js';
import { IntentsStore } from '../../src/operator/core/intents-store.js';
import { resolveObservation } from '../../src/operator/core/observation-resolver.js';
import { startControlPlane } from '../../test/support/control-plane.js';
import { installCrds } from '../../test/support/crds.js';
import { syntheticCluster } from './synthetic-cluster.js';
import { sumMetric } from '../../test/support/metrics.js';
import { startOperatorProcess, waitUntil, type OperatorProcess } from './operator-process.js';
import { createSyntheticObjects, pool } from './synthetic-objects.js';

/**
 * The operator (its real main.js, as a child process) against a real kube-apiserver holding
 * 5,000 pods in 500 Deployments with their Services and EndpointSlices, fed 200,000 records in
 * 100 NetworkObservations. Reports the time until every ClientIntents is written (checked
 * against what the pure core computes for the same data), ClientIntents writes made, and the
 * operator's peak resident memory.
 */
const workloadCount = Number(process.env.BENCH_WORKLOADS ?? 500);
const podsPerWorkload = 10;
const recordCount = Number(process.env.BENCH_RECORDS ?? 200_000);
const concurrency = 24;

const cp = await startControlPlane();
const child: { operator?: OperatorProcess } = {};
try {
  const admin = cp.admin();
  await installCrds(admin);
  const core = admin.makeApiClient(CoreV1Api);
  const custom = admin.makeApiClient(CustomObjectsApi);
  const setupBegan = Date.now();
  const layout = syntheticCluster({ workloads: workloadCount, podsPerWorkload, records: 0, at: 0 });
  for (const ns of ['network-mapper', ...new Set(layout.workloads.map((w) => w.namespace))]) await core.createNamespace({ body: { metadata: { name: ns } } });
  await createSyntheticObjects(admin, layout.workloads, concurrency);
  const setupSeconds = (Date.now() - setupBegan) / 1000;
  process.stderr.write(`set-up done in ${setupSeconds.toFixed(1)} s\n`);
  // Traffic seen after every pod exists (records span the 10 s before `at`).
  const synthetic = syntheticCluster({ workloads: workloadCount, podsPerWorkload, records: recordCount, at: Date.now() + 10_000 });

  // What the pure core makes of the same data: the target count of every ClientIntents.
  const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 600_000 });
  for (const w of synthetic.workloads) {
    w.podIps.forEach((ip, p) => index.upsertPod({ namespace: w.namespace, name: `${w.name}-rs-${p}`, ips: [ip], hostNetwork: false, start: 0, annotations: {}, labels: {}, ownerReferences: [] }, { namespace: w.namespace, name: w.name, kind: 'Deployment' }, 0));
    index.upsertService({ namespace: w.namespace, name: w.name, clusterIPs: [w.serviceIp] });
    index.upsertSlice({ namespace: w.namespace, name: `${w.name}-x`, serviceName: w.name, endpoints: w.podIps.map((ip, p) => ({ ips: [ip], pod: { namespace: w.namespace, name: `${w.name}-rs-${p}` } })) });
  }
  const expectedStore = new IntentsStore(1024);
  for (const o of synthetic.observations) resolveObservation(o, index, expectedStore, { internetTargets: true, dnsMemoryMs: 3_600_000 });
  const expected = new Map(expectedStore.clientKeys().map((k) => [k, expectedStore.desired(k)!.spec.targets.length]));

  const operator = await startOperatorProcess(cp.kubeconfigPath, { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '', OBSERVATION_SETTLE_SECONDS: '0' });
  child.operator = operator;
  const { proc, metricsText } = operator;
  const idleRss = operator.rssMiB();
  // Where the peak comes from: the high-water mark once the caches are synced, then sampled RSS.
  const hwmAtReady = operator.hwmMiB();
  let phase: 'creating' | 'converging' = 'creating';
  const peakBy = { creating: 0, converging: 0 };
  const sampler = setInterval(() => {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the operator exited (${proc.exitCode ?? proc.signalCode})`);
    peakBy[phase] = Math.max(peakBy[phase], operator.rssMiB());
  }, 100);

  const began = Date.now();
  await pool(synthetic.observations.map((spec, i) => ({ spec, i })), concurrency, ({ spec, i }) =>
    custom.createNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace: 'network-mapper', body: { apiVersion: 'netmap.dev/v1alpha1', kind: 'NetworkObservation', metadata: { name: `bench-${i}` }, spec } }),
  );
  const createdSeconds = (Date.now() - began) / 1000;
  phase = 'converging';
  let peakRss = 0;
  let lastReport = Date.now();
  await waitUntil(
    'all ClientIntents written',
    async () => {
      peakRss = Math.max(peakRss, operator.rssMiB());
      const list = (await custom.listClusterCustomObject({ group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' })) as { items: { metadata: { namespace: string }; spec: { workload: { name: string }; targets: unknown[] } }[] };
      const matching = list.items.filter((ci) => expected.get(`${ci.metadata.namespace}/${ci.spec.workload.name}`) === ci.spec.targets.length).length;
      if (Date.now() - lastReport > Number(process.env.BENCH_PROGRESS_MS ?? 10_000)) {
        lastReport = Date.now();
        const m = await metricsText();
        const mib = (name: string, labels: Record<string, string> = {}): string => (sumMetric(m, name, labels) / 1048576).toFixed(0);
        process.stderr.write(
          `progress ${((Date.now() - began) / 1000).toFixed(0)} s: ${list.items.length} ClientIntents, ${matching}/${expected.size} complete, observations processed ${sumMetric(m, 'netmap_observations_processed_total', { result: 'processed' })}, queue ${sumMetric(m, 'netmap_queue_depth')}; ` +
            `RSS ${operator.rssMiB().toFixed(0)} MiB, heap total ${mib('nodejs_heap_size_total_bytes')} used ${mib('nodejs_heap_size_used_bytes')} (new space ${mib('nodejs_heap_space_size_total_bytes', { space: 'new' })}, old ${mib('nodejs_heap_space_size_total_bytes', { space: 'old' })}, large objects ${mib('nodejs_heap_space_size_total_bytes', { space: 'large_object' })}), external ${mib('nodejs_external_memory_bytes')} MiB\n`,
        );
      }
      if (process.env.BENCH_DEBUG && Date.now() - began > 30_000) {
        const bad = list.items.find((ci) => expected.get(`${ci.metadata.namespace}/${ci.spec.workload.name}`) !== ci.spec.targets.length);
        if (bad) {
          const want = expectedStore.desired(`${bad.metadata.namespace}/${bad.spec.workload.name}`)!.spec.targets.map((t) => JSON.stringify(t));
          const got = bad.spec.targets.map((t) => JSON.stringify(t));
          process.stderr.write(`missing: ${want.filter((t) => !got.includes(t)).slice(0, 5).join(' ')}\nextra: ${got.filter((t) => !want.includes(t)).slice(0, 5).join(' ')}\n`);
          process.exit(1);
        }
      }
      return list.items.length === expected.size && matching === expected.size;
    },
    600_000,
  );
  const convergedSeconds = (Date.now() - began) / 1000;
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 3000));
  const text = await metricsText();
  const writes = sumMetric(text, 'netmap_writes_total', { resource: 'clientintents' });
  const statusWrites = sumMetric(text, 'netmap_writes_total', { resource: 'clientintents/status' });
  const processed = sumMetric(text, 'netmap_observations_processed_total', { result: 'processed' });
  const hwm = operator.hwmMiB();
  const heapUsed = sumMetric(text, 'nodejs_heap_size_used_bytes') / 1048576;

  console.log('command: node dist/bench/operator/control-plane.bench.js');
  console.log(`cluster: ${workloadCount * podsPerWorkload} pods in ${workloadCount} Deployments (+ReplicaSets, Services, EndpointSlices), created in ${setupSeconds.toFixed(1)} s`);
  console.log(`observations: ${synthetic.observations.length} objects, ${synthetic.records} records, created in ${createdSeconds.toFixed(1)} s`);
  console.log(`all ${expected.size} ClientIntents written (target counts equal to the pure core's) ${convergedSeconds.toFixed(1)} s after the first observation was created`);
  console.log(`records per second end to end: ${Math.round(synthetic.records / convergedSeconds)}`);
  console.log(`ClientIntents writes: ${writes} for ${expected.size} objects (${(writes / expected.size).toFixed(2)} per object; target 1); status writes (resolvedIPs): ${statusWrites}; observations processed: ${processed}`);
  console.log(`operator memory (NODE_OPTIONS=${process.env.BENCH_NODE_OPTIONS ?? ''}): RSS idle ${idleRss.toFixed(0)} MiB, peak sampled ${peakRss.toFixed(0)} MiB, VmHWM ${hwm.toFixed(0)} MiB (target < 300 MiB); V8 heap used at the end ${heapUsed.toFixed(0)} MiB`);
  console.log(`operator memory by phase: VmHWM when ready ${hwmAtReady.toFixed(0)} MiB; RSS sampled every 100 ms, peak while observations were created ${peakBy.creating.toFixed(0)} MiB, afterwards until converged ${peakBy.converging.toFixed(0)} MiB`);
} finally {
  await child.operator?.stop();
  await cp.stop();
}
