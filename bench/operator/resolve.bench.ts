import { ClusterIndex } from '../../src/operator/core/cluster-index.js';
import { IntentsStore } from '../../src/operator/core/intents-store.js';
import { resolveObservation } from '../../src/operator/core/observation-resolver.js';
import { syntheticCluster } from './synthetic-cluster.js';

/** Records resolved per second by the pure core: 5,000 pods in 500 workloads, 200,000 records. */
const at = Date.parse('2026-11-26T10:00:00Z');
const synthetic = syntheticCluster({ workloads: 500, podsPerWorkload: 10, records: 200_000, at });

const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 600_000 });
for (const w of synthetic.workloads) {
  const identity = { namespace: w.namespace, name: w.name, kind: 'Deployment' };
  w.podIps.forEach((ip, p) => {
    index.upsertPod({ namespace: w.namespace, name: `${w.name}-${p}`, ips: [ip], hostNetwork: false, start: at - 60_000, annotations: {}, labels: {}, ownerReferences: [] }, identity, at - 60_000);
  });
  index.upsertService({ namespace: w.namespace, name: w.name, clusterIPs: [w.serviceIp] });
  index.upsertSlice({ namespace: w.namespace, name: `${w.name}-x`, serviceName: w.name, endpoints: w.podIps.map((ip, p) => ({ ips: [ip], pod: { namespace: w.namespace, name: `${w.name}-${p}` } })) });
}

const options = { internetTargets: true, dnsMemoryMs: 600_000 };
// Warm the JIT on a few objects, into a throwaway store.
for (const o of synthetic.observations.slice(0, 5)) resolveObservation(o, index, new IntentsStore(1024), options);

const store = new IntentsStore(1024);
const began = process.hrtime.bigint();
let resolved = 0;
let total = 0;
const reasons = new Map<string, number>();
for (const o of synthetic.observations) {
  const outcome = resolveObservation(o, index, store, options);
  resolved += outcome.resolved;
  total += outcome.records;
  for (const [reason, n] of outcome.unresolved) reasons.set(reason, (reasons.get(reason) ?? 0) + n);
}
const seconds = Number(process.hrtime.bigint() - began) / 1e9;
const planBegan = process.hrtime.bigint();
let clients = 0;
for (const key of store.clientKeys()) if (store.desired(key)) clients++;
const planSeconds = Number(process.hrtime.bigint() - planBegan) / 1e9;

console.log('command: node dist/bench/operator/resolve.bench.js');
console.log(`pods=5000 workloads=500 records=${total} observations=${synthetic.observations.length}`);
console.log(`resolve: ${seconds.toFixed(3)} s, ${Math.round(total / seconds)} records/s (target 100000/s); resolved=${resolved} unresolved=${JSON.stringify(Object.fromEntries(reasons))}`);
console.log(`desired ClientIntents built for ${clients} clients in ${(planSeconds * 1000).toFixed(1)} ms`);
console.log(`heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)} MiB`);
