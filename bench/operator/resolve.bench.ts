import { ClusterIndex } from '../../src/operator/core/cluster-index.js';
import { IntentsStore } from '../../src/operator/core/intents-store.js';
import { resolveObservation } from '../../src/operator/core/observation-resolver.js';
import type { NetworkObservationSpec } from '../../src/crds/network-observation.js';

/**
 * Records resolved per second by the pure core: 5,000 pods in 500 workloads (10 namespaces),
 * one Service per workload, 200,000 records (connections to ClusterIPs and pod IPs, DNS answers
 * for Service names and external names), in NetworkObservations of the schema's maximum size.
 */
const pods = 5000;
const workloads = 500;
const records = 200_000;
const start = Date.parse('2026-11-26T10:00:00Z');

function podIp(i: number): string {
  return `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}
function serviceIp(w: number): string {
  return `10.96.${Math.floor(w / 250)}.${(w % 250) + 1}`;
}

const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 600_000 });
for (let w = 0; w < workloads; w++) {
  const namespace = `ns-${w % 10}`;
  const identity = { namespace, name: `app-${w}`, kind: 'Deployment' };
  const endpoints = [];
  for (let p = 0; p < pods / workloads; p++) {
    const i = w * (pods / workloads) + p;
    index.upsertPod({ namespace, name: `app-${w}-${p}`, ips: [podIp(i)], hostNetwork: false, start, annotations: {}, labels: {}, ownerReferences: [] }, identity, start);
    endpoints.push({ ips: [podIp(i)], pod: { namespace, name: `app-${w}-${p}` } });
  }
  index.upsertService({ namespace, name: `app-${w}`, clusterIPs: [serviceIp(w)] });
  index.upsertSlice({ namespace, name: `app-${w}-x`, serviceName: `app-${w}`, endpoints });
}

const iso = (ms: number): string => new Date(ms).toISOString();
const observations: NetworkObservationSpec[] = [];
let current: NetworkObservationSpec | undefined;
let seed = 42;
const rand = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
for (let r = 0; r < records; r++) {
  if (!current || current.connections.length + current.dnsAnswers.length >= 2000) {
    current = { nodeName: 'node', windowStart: iso(start + 60_000), windowEnd: iso(start + 70_000), dnsAnswers: [], connections: [] };
    observations.push(current);
  }
  const client = rand(pods);
  const server = rand(workloads);
  const at = iso(start + 60_000 + rand(10_000));
  const kind = r % 10;
  if (kind < 6) current.connections.push({ clientIP: podIp(client), serverIP: serviceIp(server), serverPort: 8080, protocol: 'TCP', sources: ['SYN'], firstSeen: at, lastSeen: at, count: 1 });
  else if (kind < 8) current.connections.push({ clientIP: podIp(client), serverIP: podIp(rand(pods)), serverPort: 8080, protocol: 'TCP', sources: ['SocketScan'], firstSeen: at, lastSeen: at, count: 1 });
  else if (kind < 9 && current.dnsAnswers.length < 500) current.dnsAnswers.push({ clientIP: podIp(client), name: `app-${server}.ns-${server % 10}.svc.cluster.local`, ips: [serviceIp(server)], ttlSeconds: 30, firstSeen: at, lastSeen: at, count: 1 });
  else current.connections.push({ clientIP: podIp(client), serverIP: `203.0.${rand(4)}.${rand(250) + 1}`, serverPort: 443, protocol: 'TCP', sources: ['SYN'], firstSeen: at, lastSeen: at, count: 1 });
}

const store = new IntentsStore(1024);
const options = { internetTargets: true, dnsMemoryMs: 600_000 };
// Warm up the JIT on a copy of the first objects, into a throwaway store.
for (const o of observations.slice(0, 5)) resolveObservation(o, index, new IntentsStore(1024), options);

const began = process.hrtime.bigint();
let resolved = 0;
let total = 0;
const reasons = new Map<string, number>();
for (const o of observations) {
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
console.log(`pods=${pods} workloads=${workloads} records=${total} observations=${observations.length}`);
console.log(`resolve: ${seconds.toFixed(3)} s, ${Math.round(total / seconds)} records/s (target 100000/s); resolved=${resolved} unresolved=${JSON.stringify(Object.fromEntries(reasons))}`);
console.log(`desired ClientIntents built for ${clients} clients in ${(planSeconds * 1000).toFixed(1)} ms`);
console.log(`heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)} MiB`);
