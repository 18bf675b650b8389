import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parseEnvConfig } from '../../src/shared/env-config.js';
import { startHealthServer } from '../../src/shared/health-server.js';
import { createLogger } from '../../src/shared/logger.js';
import { snifferConfigSchema } from '../../src/sniffer/core/sniffer-config.js';
import { createKubeClient } from '../../src/shared/kube/kube-client.js';
import { loadKubeClientConfig } from '../../src/shared/kube/load-kube-client-config.js';
import { reportingOptionsFrom, startReporting } from '../../src/sniffer/shell/reporting/start-reporting.js';

/*
 * The sniffer's process without its captures, for reporting-memory.bench.js (which starts it):
 * what main.ts wires (configuration, logger, metrics, health server, our Kubernetes client,
 * startReporting), plus the two capture libraries loaded but not capturing, so that their module
 * memory counts. Phases: idle, a steady synthetic load through the sink, and a flood of distinct
 * records that fills the buffer to MAX_BUFFER_BYTES. Prints one JSON line with RSS samples.
 */
// Loaded for their memory only (as module-memory.bench.js does); capturing is pcap-source.ts's job.
for (const captureLibrary of ['cap', 'dns-packet']) await import(captureLibrary);

const config = parseEnvConfig(snifferConfigSchema, process.env);
const logger = createLogger('sniffer-bench', config.LOG_LEVEL);
const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'netmap_sniffer_' });
const reporting = startReporting({
  kube: createKubeClient(await loadKubeClientConfig()),
  ...reportingOptionsFrom(config),
  registry,
  logger,
});
const health = await startHealthServer({ port: 0, registry, isReady: () => reporting.reporter.connected });

const idleMs = Number(process.env.BENCH_IDLE_MS ?? 15_000);
const loadMs = Number(process.env.BENCH_LOAD_MS ?? 20_000);
const floodMs = Number(process.env.BENCH_FLOOD_MS ?? 10_000);
const eventsPerSecond = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 50_000);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

interface Phase {
  rssMb: number[];
  /** The process's own pages; the rest of RSS is file-backed (node binary, libraries), shared with other processes. */
  anonMb: number[];
  heapUsedMb: number[];
}

function rssAnonMb(): number {
  const line = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return line ? (Number(line[1]) * 1024) / 1e6 : Number.NaN;
}

async function measure(ms: number, feed?: (tick: number) => void): Promise<Phase> {
  const phase: Phase = { rssMb: [], anonMb: [], heapUsedMb: [] };
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    phase.rssMb.push(usage.rss / 1e6);
    phase.anonMb.push(rssAnonMb());
    phase.heapUsedMb.push(usage.heapUsed / 1e6);
  }, 100);
  let tick = 0;
  const feeder = feed && setInterval(() => feed(tick++), 10);
  await sleep(ms);
  clearInterval(sampler);
  clearInterval(feeder);
  return phase;
}

const perTick = Math.round(eventsPerSecond / 100);
await sleep(2_000);
const idle = await measure(idleMs);

// Steady load: half DNS answers, half connection openings, over a bounded set of keys (a busy
// node: 2,000 client/name pairs and 5,000 client/server/port triples), so every window holds
// thousands of records and is written, as the capture would deliver them.
let n = 0;
const load = await measure(loadMs, () => {
  const now = Date.now();
  for (let i = 0; i < perTick; i++, n++) {
    if (n % 2 === 0) {
      const k = (n >> 1) % 2_000;
      reporting.buffer.dnsAnswer({ clientIP: ip(0x0af400 + (k % 500)), name: `svc-${k % 400}.ns-${k % 7}.svc.cluster.local`, ips: [ip(0x600000 + (k % 400))], ttlSeconds: 30, seenAt: now });
    } else {
      const k = (n >> 1) % 5_000;
      reporting.buffer.connection({ clientIP: ip(0x0af400 + (k % 1_000)), serverIP: ip(0x600000 + (k % 250)), serverPort: 8000 + (k % 20), source: 'SYN', seenAt: now });
    }
  }
});

// Flood: every event a new connection record, until the buffer holds MAX_BUFFER_BYTES and
// drops (counted) what does not fit.
let unique = 0;
const flood = await measure(floodMs, () => {
  const now = Date.now();
  for (let i = 0; i < perTick * 2; i++, unique++) {
    reporting.buffer.connection({ clientIP: ip(0x0a0000 + (unique % 60_000)), serverIP: ip(0x200000 + Math.floor(unique / 60_000)), serverPort: 443, source: 'SocketScan', seenAt: now });
  }
});
const maxBufferedBytes = Math.max(0, reporting.buffer.bytes);
const drops = reporting.buffer.drops;

await reporting.reporter.stop();
await health.close();
const written = (await registry.getSingleMetric('netmap_sniffer_objects_written_total')?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
const median = (values: number[]): number => Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
const summary = (phase: Phase) => ({
  rssMedianMb: median(phase.rssMb),
  rssMaxMb: Math.round(Math.max(...phase.rssMb)),
  anonMedianMb: median(phase.anonMb),
  anonMaxMb: Math.round(Math.max(...phase.anonMb)),
  heapUsedMaxMb: Math.round(Math.max(...phase.heapUsedMb)),
});
process.stdout.write(
  `${JSON.stringify({
    idle: summary(idle),
    load: { ...summary(load), events: n },
    flood: { ...summary(flood), events: unique, droppedForMemory: drops.connection.memory, bufferedBytesAtEnd: maxBufferedBytes },
    objectsWritten: written,
  })}\n`,
);
process.exit(0);
