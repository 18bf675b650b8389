import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ClusterIndex } from '../../src/operator/core/cluster-index.js';
import { IntentsStore } from '../../src/operator/core/intents-store.js';
import { resolveObservation } from '../../src/operator/core/observation-resolver.js';
import { startControlPlane } from '../../test/support/control-plane.js';
import { installCrds } from '../../test/support/crds.js';
import { syntheticCluster } from './synthetic-cluster.js';

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
const mainJs = join(import.meta.dirname, '..', '..', 'src', 'operator', 'main.js');

async function pool<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

const cp = await startControlPlane();
const child = { proc: undefined as ReturnType<typeof spawn> | undefined };
try {
  const admin = cp.admin();
  await installCrds(admin);
  const core = admin.makeApiClient(CoreV1Api);
  const apps = admin.makeApiClient(AppsV1Api);
  const discovery = admin.makeApiClient(DiscoveryV1Api);
  const custom = admin.makeApiClient(CustomObjectsApi);
  const setupBegan = Date.now();
  const layout = syntheticCluster({ workloads: workloadCount, podsPerWorkload, records: 0, at: 0 });
  for (const ns of ['network-mapper', ...new Set(layout.workloads.map((w) => w.namespace))]) await core.createNamespace({ body: { metadata: { name: ns } } });
  const container = [{ name: 'main', image: 'example.invalid/app:1' }];
  await pool(layout.workloads, async (w) => {
    const labels = { app: w.name };
    const template = { metadata: { labels }, spec: { containers: container } };
    const d = await apps.createNamespacedDeployment({ namespace: w.namespace, body: { metadata: { name: w.name }, spec: { selector: { matchLabels: labels }, template } } });
    const rs = await apps.createNamespacedReplicaSet({
      namespace: w.namespace,
      body: { metadata: { name: `${w.name}-rs`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: w.name, uid: d.metadata!.uid!, controller: true }] }, spec: { selector: { matchLabels: labels }, template } },
    });
    await core.createNamespacedService({ namespace: w.namespace, body: { metadata: { name: w.name }, spec: { clusterIP: w.serviceIp, ports: [{ port: 8080 }] } } });
    await discovery.createNamespacedEndpointSlice({
      namespace: w.namespace,
      body: {
        metadata: { name: `${w.name}-x`, labels: { 'kubernetes.io/service-name': w.name } },
        addressType: 'IPv4',
        endpoints: w.podIps.map((ip, p) => ({ addresses: [ip], targetRef: { kind: 'Pod', name: `${w.name}-rs-${p}`, namespace: w.namespace } })),
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    });
    await Promise.all(w.podIps.map(async (ip, p) => {
      const name = `${w.name}-rs-${p}`;
      await core.createNamespacedPod({ namespace: w.namespace, body: { metadata: { name, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata!.name!, uid: rs.metadata!.uid!, controller: true }] }, spec: { containers: container, nodeName: 'node-0' } } });
      await core.patchNamespacedPodStatus({ namespace: w.namespace, name, body: { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    }));
  });
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

  const proc = spawn(process.execPath, [mainJs], {
    env: { ...process.env, NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '', KUBECONFIG: cp.kubeconfigPath, HEALTH_PORT: '0', POD_NAME: 'bench', LOG_LEVEL: 'info', OBSERVATION_SETTLE_SECONDS: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.proc = proc;
  let port: number | undefined;
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    if (line.includes('"healthPort"')) port = (JSON.parse(line) as { healthPort: number }).healthPort;
    else if (line.includes('"level":"error"') || line.includes('"level":"warn"') || !line.startsWith('{')) process.stderr.write(`${line.slice(0, 400)}\n`);
  });
  const metricsText = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const waitUntil = async (what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await waitUntil('health port', async () => port !== undefined, 30_000);
  await waitUntil('operator ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 120_000);
  const idleRss = rssMiB(proc.pid!);
  // Where the peak comes from: the high-water mark once the caches are synced, then sampled RSS.
  const hwmAtReady = hwmMiB(proc.pid!);
  let phase: 'creating' | 'converging' = 'creating';
  const peakBy = { creating: 0, converging: 0 };
  const sampler = setInterval(() => {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the operator exited (${proc.exitCode ?? proc.signalCode})`);
    peakBy[phase] = Math.max(peakBy[phase], rssMiB(proc.pid!));
  }, 100);

  const began = Date.now();
  await pool(synthetic.observations.map((spec, i) => ({ spec, i })), ({ spec, i }) =>
    custom.createNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace: 'network-mapper', body: { apiVersion: 'netmap.dev/v1alpha1', kind: 'NetworkObservation', metadata: { name: `bench-${i}` }, spec } }),
  );
  const createdSeconds = (Date.now() - began) / 1000;
  phase = 'converging';
  let peakRss = 0;
  let lastReport = Date.now();
  await waitUntil(
    'all ClientIntents written',
    async () => {
      peakRss = Math.max(peakRss, rssMiB(proc.pid!));
      const list = (await custom.listClusterCustomObject({ group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' })) as { items: { metadata: { namespace: string }; spec: { workload: { name: string }; targets: unknown[] } }[] };
      const matching = list.items.filter((ci) => expected.get(`${ci.metadata.namespace}/${ci.spec.workload.name}`) === ci.spec.targets.length).length;
      if (Date.now() - lastReport > Number(process.env.BENCH_PROGRESS_MS ?? 10_000)) {
        lastReport = Date.now();
        const m = await metricsText();
        const mib = (name: string, label = ''): string => (sumMetric(m, name, label) / 1048576).toFixed(0);
        process.stderr.write(
          `progress ${((Date.now() - began) / 1000).toFixed(0)} s: ${list.items.length} ClientIntents, ${matching}/${expected.size} complete, observations processed ${sumMetric(m, 'netmap_observations_processed_total', 'result="processed"')}, queue ${sumMetric(m, 'netmap_queue_depth', '')}; ` +
            `RSS ${rssMiB(proc.pid!).toFixed(0)} MiB, heap total ${mib('nodejs_heap_size_total_bytes')} used ${mib('nodejs_heap_size_used_bytes')} (new space ${mib('nodejs_heap_space_size_total_bytes', 'space="new"')}, old ${mib('nodejs_heap_space_size_total_bytes', 'space="old"')}, large objects ${mib('nodejs_heap_space_size_total_bytes', 'space="large_object"')}), external ${mib('nodejs_external_memory_bytes')} MiB\n`,
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
  const writes = sumMetric(text, 'netmap_writes_total', 'resource="clientintents"');
  const statusWrites = sumMetric(text, 'netmap_writes_total', 'resource="clientintents/status"');
  const processed = sumMetric(text, 'netmap_observations_processed_total', 'result="processed"');
  const hwm = hwmMiB(proc.pid!);
  const heapUsed = sumMetric(text, 'nodejs_heap_size_used_bytes', '') / 1048576;

  console.log('command: node dist/bench/operator/control-plane.bench.js');
  console.log(`cluster: ${workloadCount * podsPerWorkload} pods in ${workloadCount} Deployments (+ReplicaSets, Services, EndpointSlices), created in ${setupSeconds.toFixed(1)} s`);
  console.log(`observations: ${synthetic.observations.length} objects, ${synthetic.records} records, created in ${createdSeconds.toFixed(1)} s`);
  console.log(`all ${expected.size} ClientIntents written (target counts equal to the pure core's) ${convergedSeconds.toFixed(1)} s after the first observation was created`);
  console.log(`records per second end to end: ${Math.round(synthetic.records / convergedSeconds)}`);
  console.log(`ClientIntents writes: ${writes} for ${expected.size} objects (${(writes / expected.size).toFixed(2)} per object; target 1); status writes (resolvedIPs): ${statusWrites}; observations processed: ${processed}`);
  console.log(`operator memory (NODE_OPTIONS=${process.env.BENCH_NODE_OPTIONS ?? ''}): RSS idle ${idleRss.toFixed(0)} MiB, peak sampled ${peakRss.toFixed(0)} MiB, VmHWM ${hwm.toFixed(0)} MiB (target < 300 MiB); V8 heap used at the end ${heapUsed.toFixed(0)} MiB`);
  console.log(`operator memory by phase: VmHWM when ready ${hwmAtReady.toFixed(0)} MiB; RSS sampled every 100 ms, peak while observations were created ${peakBy.creating.toFixed(0)} MiB, afterwards until converged ${peakBy.converging.toFixed(0)} MiB`);
} finally {
  child.proc?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  child.proc?.kill('SIGKILL');
  await cp.stop();
}

function rssMiB(pid: number): number {
  return statusField(pid, 'VmRSS');
}
function hwmMiB(pid: number): number {
  return statusField(pid, 'VmHWM');
}
function statusField(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}
function sumMetric(text: string, name: string, label: string): number {
  return text
    .split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(label))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
