import { cpus } from 'node:os';
import { ClusterIndex } from '../../src/operator/core/cluster-index.js';
import { IntentsStore } from '../../src/operator/core/intents-store.js';
import { AccessWindow } from '../../src/operator/core/kafka/access-window.js';
import { BrokerLogReader } from '../../src/operator/core/kafka/broker-log-reader.js';
import { resolveKafkaAccess } from '../../src/operator/core/kafka/kafka-resolver.js';
import { LogCursor } from '../../src/operator/core/kafka/log-cursor.js';
import { aclMessage, base, layout, standardMessage, tlsPrincipal, type AuditFields } from '../../test/unit/operator/kafka/authorizer-fixtures.js';

/**
 * The watcher's work per broker at 10,000 authorizer lines/s, without the pods/log stream
 * itself (that needs a real kubelet): chunks of kubelet-timestamped lines every 100 ms through
 * the BrokerLogReader (split, cursor, parse, window), and the window into the store every second
 * (IP history lookups for 200 client pods, 20 topics). CPU is this process's user+system time
 * over wall time; memory is RSS and heap at the end against the start.
 */
const rate = Number(process.env.KAFKA_LINES_PER_SECOND ?? 10_000);
const seconds = Number(process.env.KAFKA_BENCH_SECONDS ?? 30);
const start = Date.parse('2026-12-07T04:00:00Z');

const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 600_000 });
const broker = { namespace: 'kafka', name: 'kafka', kind: 'StatefulSet' };
for (let i = 0; i < 200; i++) {
  const ip = `10.244.${Math.floor(i / 200)}.${(i % 200) + 1}`;
  index.upsertPod({ namespace: `team-${i % 10}`, name: `client-${i}-0`, ips: [ip], hostNetwork: false, start: start - 3_600_000, annotations: {}, labels: {}, ownerReferences: [] }, { namespace: `team-${i % 10}`, name: `client-${i}`, kind: 'Deployment' }, start - 3_600_000);
}
const store = new IntentsStore(1024);
const cursor = new LogCursor({ podUid: 'u', container: 'kafka', restartCount: 0 });
const window = new AccessWindow(10_000);

function message(n: number): string {
  const kind = n % 20;
  const f: AuditFields = {
    ...base,
    host: `10.244.0.${(n % 200) + 1}`,
    resourceName: `topic-${n % 20}`,
    ...(kind < 9 ? { operation: 'WRITE', request: 'Produce' } : { operation: 'READ', request: 'Fetch' }),
    ...(kind === 17 ? { resourceType: 'GROUP', resourceName: `group-${n % 5}` } : {}),
    ...(kind === 18 ? { principal: tlsPrincipal } : {}),
    ...(kind === 19 ? { allowed: false } : {}),
  };
  return layout((n % 2 === 0 ? standardMessage : aclMessage)(f), f.allowed);
}
const messages = Array.from({ length: 4000 }, (_, n) => message(n));

console.log(`# node dist/bench/kafka/watcher-pipeline.bench.js  (node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores; ${rate} lines/s for ${seconds} s)`);
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
const cpuBefore = process.cpuUsage();
const wallBefore = process.hrtime.bigint();
let n = 0;
let maxGroups = 0;
const perTick = rate / 10;
for (let tick = 0; tick < seconds * 10; tick++) {
  const tickStart = Date.now();
  const reader = new BrokerLogReader(cursor, window, 64 * 1024);
  let chunk = '';
  for (let i = 0; i < perTick; i++, n++) {
    const at = new Date(start + Math.floor((n * 1000) / rate)).toISOString().replace('Z', `${String(n % 1000).padStart(3, '0')}Z`);
    chunk += `${at} ${messages[n % messages.length]}\n`;
    if (chunk.length > 32 * 1024) {
      reader.push(chunk);
      chunk = '';
    }
  }
  reader.push(chunk);
  reader.end();
  if (tick % 10 === 9) {
    const contents = window.flush();
    maxGroups = Math.max(maxGroups, contents.groups.length);
    resolveKafkaAccess(contents.groups, broker, index, store);
  }
  const spent = Date.now() - tickStart;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - spent)));
}
const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
global.gc?.();
const mem = process.memoryUsage();
console.log(`lines ${n.toLocaleString('en-US')} in ${wallSeconds.toFixed(1)} s; CPU ${(((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100).toFixed(1)} % of a core`);
console.log(`RSS ${(rssBefore / 2 ** 20).toFixed(1)} -> ${(mem.rss / 2 ** 20).toFixed(1)} MiB; heap used ${(heapBefore / 2 ** 20).toFixed(1)} -> ${(mem.heapUsed / 2 ** 20).toFixed(1)} MiB; at most ${maxGroups} groups per window; ${store.clientKeys().length} clients in the store`);
