import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { readAuthorizerLine } from '../../src/operator/core/kafka/authorizer-line.js';
import { startOperatorProcess, waitUntil, type OperatorProcess } from '../operator/operator-process.js';
import { installCrds } from '../../test/support/crds.js';
import { sumMetric } from '../../test/support/metrics.js';
import { startBareNode, type BareNode } from '../../test/support/local-cluster/bare-node.js';
import { NodeBusyError } from '../../test/support/local-cluster/node/node-host.js';
import { demoImage } from '../../test/support/local-cluster/node/node-images.js';
import { slotted, slottedOctet } from '../../test/support/test-slot.js';
import { componentNodeFlags } from '../support/node-flags.js';
import { aclMessage, base, layout, standardMessage, tlsPrincipal, type AuditFields } from '../../test/unit/operator/kafka/authorizer-fixtures.js';

/**
 * The Kafka watcher following a broker's authorizer log through the real pods/log stream: on the
 * local cluster's real node (control plane, containerd, kubelet; startBareNode), a pod labelled as
 * the chart's broker selector expects (`app=kafka`, StatefulSet kafka/kafka) writes authorizer
 * lines in both of Kafka's formats (the fixtures built from Kafka's source) to stdout at
 * KAFKA_LINES_PER_SECOND (10,000) for KAFKA_BENCH_SECONDS (30); the kubelet writes them to its
 * log files (rotating them at its default 10 MiB) and the operator, its real main.js with the
 * image's Node flags (image/node-flags) as a child process on the host (out of the cluster, as
 * the other operator benches run it), follows them through the API server as in a cluster
 * (selector mode, one follower). A client pod's IP is the lines' host, so the accesses resolve
 * and end in its ClientIntents.
 *
 * Reports lines written against lines the operator counted (netmap_kafka_lines_total, every
 * result), by result; the operator's CPU (% of a core, /proc) while it follows and when idle; its
 * RSS and heap; the lag (newest kubelet timestamp the watcher has flushed into the store, against
 * the clock; lines written and not yet counted); the API server's and kubelet's CPU meanwhile.
 *
 * It starts the machine's one real node, so it runs only when asked to (BENCH_LOCAL_NODE=1), as
 * root, while no other local cluster runs; otherwise it says why it is skipped.
 */
const rate = Number(process.env.KAFKA_LINES_PER_SECOND ?? 10_000);
const seconds = Number(process.env.KAFKA_BENCH_SECONDS ?? 30);
const total = rate * seconds;
const command = 'BENCH_LOCAL_NODE=1 flock /run/netmap-node-turn.lock npm run bench -- kafka/watcher-stream';
const generatorScript = join(import.meta.dirname, '..', '..', '..', 'bench', 'kafka', 'load-generator.mjs');

function skipReason(): string | undefined {
  if (process.env.BENCH_LOCAL_NODE !== '1') return `it starts the machine's one real node: run it on its own with \`${command}\``;
  if (process.getuid?.() !== 0) return 'the real node needs root';
  if (!['containerd', 'runc'].every((binary) => ['/usr/bin', '/usr/sbin', '/bin'].some((dir) => existsSync(join(dir, binary))))) return 'containerd and runc are not installed (scripts/setup.sh installs them)';
  return undefined;
}

/** Both formats alternating, a busy broker's mix (as the pipeline bench): Produce, Fetch, a group, a TLS principal, a denied line in every 20; 20 topics. */
function message(n: number, host: string): string {
  const kind = n % 20;
  const f: AuditFields = {
    ...base,
    host,
    resourceName: `topic-${Math.floor(n / 20) % 20}`,
    ...(kind < 9 ? { operation: 'WRITE', request: 'Produce' } : { operation: 'READ', request: 'Fetch' }),
    ...(kind === 17 ? { resourceType: 'GROUP', resourceName: `group-${n % 5}` } : {}),
    ...(kind === 18 ? { principal: tlsPrincipal } : {}),
    ...(kind === 19 ? { allowed: false } : {}),
  };
  return layout((n % 2 === 0 ? standardMessage : aclMessage)(f), f.allowed);
}

/** User + system CPU seconds of a process so far (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The process whose command line has every one of `parts` (the node's kubelet, by its node name). */
function findProcess(parts: readonly string[]): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (parts.every((p) => argv.includes(p))) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** The operator, killed with the node when the bench is stopped from outside. */
const running: { operator?: OperatorProcess } = {};

/** The broker container's dir in the kubelet's pod log dir. */
function containerLogDir(node: BareNode): string | undefined {
  const podLogs = join(node.layout.stateDir, 'pod-logs');
  const podDir = readdirSync(podLogs).find((d) => d.startsWith('kafka_kafka-0_'));
  return podDir ? join(podLogs, podDir, 'kafka') : undefined;
}

/** The broker container's log files, with their sizes. */
function containerLogFiles(node: BareNode): string[] {
  const dir = containerLogDir(node);
  if (!dir) return ['(none found)'];
  return readdirSync(dir).sort().map((f) => `${f} ${mib(statSync(join(dir, f)).size)} MiB`);
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface LoadState {
  /** Lines written so far, where the source knows (the generator); undefined for the broker. */
  readonly written?: number;
  /** The load has ended (all written, or the producer stopped). */
  readonly finished: boolean;
  /** Set once finished: when the last line was written, and the write rate reached. */
  readonly summary?: string;
  readonly finishedAt?: number;
}

interface LoadSource {
  /** What the report calls it. */
  readonly name: string;
  /** The broker pod's lines before the load starts (the generator's ready line, the broker's start-up). */
  start(): Promise<void>;
  state(counted: Map<string, number>, now: number): Promise<LoadState>;
  /** Lines by result the operator should have counted, where known. */
  expected(): Map<string, number> | undefined;
  /** The same load once more, to its end (the generator only): what it costs the node with nobody following. */
  again?(): Promise<void>;
}

const pollMs = 1250;

/** The load generator pod (bench/kafka/load-generator.mjs) naming the client pod's IP as host. */
async function generatorSource(node: BareNode, clientIp: string): Promise<LoadSource> {
  const core = node.admin.makeApiClient(CoreV1Api);
  const apps = node.admin.makeApiClient(AppsV1Api);
  const messages = Array.from({ length: 400 }, (_, n) => message(n, clientIp).replace(/^\[[^\]]*\] /, ''));
  // What the operator should count: each line's result as the parser gives it, the ready line not-authorizer.
  const expected = new Map<string, number>([['not-authorizer', 1]]);
  const resultOf = messages.map((m) => {
    const result = readAuthorizerLine(`[2026-12-07 11:00:00,000] ${m}`);
    return result.ok ? 'access' : result.reason;
  });
  for (let n = 0; n < total; n++) expected.set(resultOf[n % 400]!, (expected.get(resultOf[n % 400]!) ?? 0) + 1);
  await core.createNamespacedConfigMap({ namespace: 'kafka', body: {
    metadata: { name: 'load-generator' },
    data: { 'messages.txt': `${messages.join('\n')}\n`, 'load-generator.mjs': readFileSync(generatorScript, 'utf8') },
  } });
  await apps.createNamespacedStatefulSet({ namespace: 'kafka', body: {
    metadata: { name: 'kafka' },
    spec: { replicas: 1, serviceName: 'kafka', selector: { matchLabels: { app: 'kafka' } }, template: { metadata: { labels: { app: 'kafka' } }, spec: {
      containers: [{
        name: 'kafka', image: demoImage, command: ['node', '/load/load-generator.mjs'],
        env: [{ name: 'RATE', value: String(rate) }, { name: 'TOTAL', value: String(total) }],
        readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
        volumeMounts: [{ name: 'load', mountPath: '/load' }],
      }],
      volumes: [{ name: 'load', configMap: { name: 'load-generator' } }],
    } } },
  } });
  const ip = await readyPodIp(core, 'the load generator pod Ready');
  const url = `http://${ip.includes(':') ? `[${ip}]` : ip}:8080/`;
  type GeneratorState = { written: number; startedAt: number; finishedAt: number; ticks: number };
  return {
    name: `load generator pod (${rate} lines/s for ${seconds} s)`,
    start: async () => {
      await fetch(`${url}start`, { method: 'POST' });
    },
    state: async () => {
      const s = (await (await fetch(url)).json()) as GeneratorState;
      if (s.finishedAt === 0) return { written: s.written + 1, finished: false };
      const writeSeconds = (s.finishedAt - s.startedAt) / 1000;
      return {
        written: s.written + 1, finished: true, finishedAt: s.finishedAt,
        summary: `written ${s.written.toLocaleString('en-US')} lines in ${writeSeconds.toFixed(1)} s (${Math.round(s.written / writeSeconds).toLocaleString('en-US')} lines/s, ${s.ticks} writes) + 1 ready line`,
      };
    },
    expected: () => expected,
    again: async () => {
      await fetch(`${url}start`, { method: 'POST' });
      await waitUntil('the second burst written', async () => ((await (await fetch(url)).json()) as GeneratorState).finishedAt > 0, (seconds + 60) * 1000);
    },
  };
}

/** The client whose IP the generator's lines name: a pod that only exists. */
async function startClient(node: BareNode): Promise<string> {
  const core = node.admin.makeApiClient(CoreV1Api);
  await node.admin.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'bench-clients', body: {
    metadata: { name: 'bench-client' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'bench-client' } }, template: { metadata: { labels: { app: 'bench-client' } }, spec: {
      containers: [{ name: 'app', image: demoImage, env: [{ name: 'LISTEN_PORT', value: '8080' }] }],
    } } },
  } });
  let clientIp = '';
  await waitUntil('the client pod running', async () => {
    const pod = (await core.listNamespacedPod({ namespace: 'bench-clients' })).items.find((p) => p.status?.phase === 'Running' && p.status.podIP);
    clientIp = pod?.status?.podIP ?? '';
    return clientIp !== '';
  }, 120_000);
  return clientIp;
}

async function readyPodIp(core: CoreV1Api, what: string, timeoutMs = 120_000): Promise<string> {
  let ip = '';
  await waitUntil(what, async () => {
    const pod = await core.readNamespacedPod({ namespace: 'kafka', name: 'kafka-0' });
    ip = pod.status?.podIP ?? '';
    return ip !== '' && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  }, timeoutMs);
  return ip;
}

/** Lines in the container's log files as the kubelet keeps them (rotated ones gzipped): what the broker pod wrote, while none was deleted. */
function linesInContainerLog(node: BareNode): number {
  const dir = containerLogDir(node);
  if (!dir) return NaN;
  let lines = 0;
  for (const file of readdirSync(dir)) {
    const raw = readFileSync(join(dir, file));
    const text = file.endsWith('.gz') ? gunzipSync(raw) : raw;
    for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

async function run(node: BareNode): Promise<void> {
  const admin = node.admin;
  const core = admin.makeApiClient(CoreV1Api);
  const custom = admin.makeApiClient(CustomObjectsApi);
  await installCrds(admin);
  for (const name of ['network-mapper', 'kafka', 'bench-clients']) await core.createNamespace({ body: { metadata: { name } } });

  const source = await generatorSource(node, await startClient(node));

  // As deployed: the image's Node flags for the operator (image/node-flags).
  const operator: OperatorProcess = await startOperatorProcess(node.controlPlane.kubeconfigPath, {
    KAFKA_BROKER_SELECTOR: 'app=kafka', OBSERVATION_SETTLE_SECONDS: '0', NODE_OPTIONS: componentNodeFlags('operator').join(' '),
  });
  running.operator = operator;
  try {
    const countedByResult = (text: string): Map<string, number> => {
      const counted = new Map<string, number>();
      for (const line of text.split('\n').filter((l) => l.startsWith('netmap_kafka_lines_total{'))) {
        const result = /result="([^"]+)"/.exec(line)?.[1] ?? '?';
        counted.set(result, (counted.get(result) ?? 0) + Number(line.split(' ').at(-1)));
      }
      return counted;
    };
    const linesRead = (text: string): number => sumMetric(text, 'netmap_kafka_lines_total');
    await waitUntil('the watcher following the broker pod (its first line counted)', async () => linesRead(await operator.metricsText()) >= 1, 60_000);
    const kubelet = findProcess(['kubelet', `--hostname-override=${node.layout.nodeName}`]);
    const containerd = findProcess(['containerd', '--config', join(node.layout.stateDir, 'containerd.toml')]);
    const apiServer = node.controlPlane.pid;
    const nodeCpu = (): { apiServer: number; kubelet: number; containerd: number } =>
      ({ apiServer: cpuSeconds(apiServer), kubelet: kubelet ? cpuSeconds(kubelet) : NaN, containerd: containerd ? cpuSeconds(containerd) : NaN });

    // Idle: following a stream that sends nothing yet.
    const idleCpu = operator.cpuSeconds();
    const idleBegan = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    const idlePercent = ((operator.cpuSeconds() - idleCpu) / ((Date.now() - idleBegan) / 1000)) * 100;

    const before = { text: await operator.metricsText(), rss: operator.rssMiB(), cpu: operator.cpuSeconds(), ...nodeCpu() };
    const heapBefore = sumMetric(before.text, 'nodejs_heap_size_used_bytes');
    const began = Date.now();
    await source.start();
    const lags: number[] = [];
    const backlogs: number[] = [];
    let maxRss = before.rss;
    let maxHeap = heapBefore;
    let read = linesRead(before.text);
    let state: LoadState = { finished: false };
    let lastProgress = Date.now();
    const timeline: string[] = [];
    let nextTimeline = began + 10_000;
    for (;;) {
      // 1.25 s apart: the samples walk through the watcher's 1 s flush period instead of meeting it at one phase.
      await new Promise((r) => setTimeout(r, pollMs));
      const text = await operator.metricsText();
      const now = Date.now();
      state = await source.state(countedByResult(text), now);
      const nowRead = linesRead(text);
      if (nowRead > read) lastProgress = now;
      read = nowRead;
      maxRss = Math.max(maxRss, operator.rssMiB());
      maxHeap = Math.max(maxHeap, sumMetric(text, 'nodejs_heap_size_used_bytes'));
      if (now >= nextTimeline) {
        nextTimeline += 10_000;
        timeline.push(`${Math.round((now - began) / 1000)} s ${operator.rssMiB().toFixed(0)}/${mib(sumMetric(text, 'nodejs_heap_size_used_bytes'))}`);
      }
      if (!state.finished && (countedByResult(text).get('access') ?? 0) > 0) {
        const lastLine = sumMetric(text, 'netmap_kafka_last_line_timestamp_seconds');
        if (lastLine > 0) lags.push(now / 1000 - lastLine);
        if (state.written !== undefined) backlogs.push(state.written - read);
      }
      if (state.finished && state.written !== undefined && read >= state.written) break;
      if (now - lastProgress > 20_000) break;
    }
    const ended = Date.now();
    const after = { text: await operator.metricsText(), rss: operator.rssMiB(), cpu: operator.cpuSeconds(), ...nodeCpu() };
    const wall = (ended - began) / 1000;
    const percent = (cpu: number, over = wall): string => `${((cpu / over) * 100).toFixed(1)} %`;
    const counted = countedByResult(after.text);
    const inFiles = linesInContainerLog(node);
    const expected = source.expected();

    console.log(`# node dist/bench/kafka/watcher-stream.bench.js  (node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${source.name})`);
    if (state.summary) console.log(state.summary);
    console.log(`read    ${read.toLocaleString('en-US')} lines (netmap_kafka_lines_total), ${((ended - (state.finishedAt ?? ended)) / 1000).toFixed(1)} s after the load ended; in the kubelet's log files ${inFiles.toLocaleString('en-US')}; lost ${((state.written ?? inFiles) - read).toLocaleString('en-US')}`);
    if (expected) console.log(`by result: ${[...new Set([...expected.keys(), ...counted.keys()])].map((r) => `${r} ${counted.get(r) ?? 0}/${expected.get(r) ?? 0}`).join(', ')} (counted/written)`);
    else console.log(`by result: ${[...counted].map(([r, n]) => `${r} ${n}`).join(', ')}`);
    console.log(`operator CPU ${percent(after.cpu - before.cpu)} of a core over ${wall.toFixed(1)} s (idle before: ${idlePercent.toFixed(1)} %); meanwhile the control plane process (API server, etcd, controllers) ${percent(after.apiServer - before.apiServer)}, kubelet ${percent(after.kubelet - before.kubelet)}, containerd ${percent(after.containerd - before.containerd)}`);
    console.log(`operator RSS ${before.rss.toFixed(1)} -> max ${maxRss.toFixed(1)} -> ${after.rss.toFixed(1)} MiB; heap used ${mib(heapBefore)} -> max ${mib(maxHeap)} -> ${mib(sumMetric(after.text, 'nodejs_heap_size_used_bytes'))} MiB`);
    console.log(`operator RSS/heap used MiB every 10 s: ${timeline.join(', ')}`);
    console.log(`lag (now - newest kubelet timestamp flushed, sampled every ${pollMs / 1000} s while the load ran): median ${median(lags).toFixed(2)} s, max ${Math.max(...lags).toFixed(2)} s` +
      (backlogs.length ? `; lines written but not counted: median ${median(backlogs).toLocaleString('en-US')}, max ${Math.max(...backlogs).toLocaleString('en-US')}` : ''));
    console.log(`bounds: window-full ${counted.get('window-full') ?? 0}, line-too-long ${counted.get('line-too-long') ?? 0}; gaps ${sumMetric(after.text, 'netmap_kafka_log_gaps_total')}; brokers followed ${sumMetric(after.text, 'netmap_kafka_brokers_followed')}`);
    console.log(`kubelet's log files of the container at the end (rotated at its default containerLogMaxSize 10 MiB, checked every 10 s): ${containerLogFiles(node).join(', ')}`);
    const intents = (await custom.getNamespacedCustomObject({ group: 'k8s.otterize.com', version: 'v2beta1', namespace: 'bench-clients', plural: 'clientintents', name: 'bench-client' }).catch(() => undefined)) as
      { spec?: { targets?: { kafka?: { name: string; topics: { name: string; operations: string[] }[] } }[] } } | undefined;
    const kafka = intents?.spec?.targets?.find((t) => t.kafka)?.kafka;
    console.log(`ClientIntents bench-clients/bench-client: ${kafka ? `kafka ${kafka.name}, ${kafka.topics.length} topics (${kafka.topics[0]?.name}: ${kafka.topics[0]?.operations.join(',')})` : 'no kafka target'}`);
    if (source.again) {
      await operator.stop();
      const quiet = nodeCpu();
      const againBegan = Date.now();
      await source.again();
      const over = (Date.now() - againBegan) / 1000;
      const done = nodeCpu();
      console.log(`the same load again with the operator stopped (nobody following), ${over.toFixed(1)} s: control plane process ${percent(done.apiServer - quiet.apiServer, over)}, kubelet ${percent(done.kubelet - quiet.kubelet, over)}, containerd ${percent(done.containerd - quiet.containerd, over)}`);
    }
  } finally {
    await operator.stop();
  }
}

const skip = skipReason();
if (skip) {
  console.log(`# node dist/bench/kafka/watcher-stream.bench.js: skipped: ${skip}`);
} else {
  let node: BareNode | undefined;
  try {
    node = await startBareNode({ prefix: slotted('nmkw'), octet: slottedOctet(120) });
  } catch (error) {
    if (!(error instanceof NodeBusyError)) throw error;
    console.log(`# node dist/bench/kafka/watcher-stream.bench.js: skipped: ${error.message}`);
  }
  if (node) {
    const started = node;
    // Stopped from outside (Ctrl-C, a timeout): the node goes too, as it holds the machine's one node.
    const onSignal = (signal: NodeJS.Signals): void => {
      running.operator?.proc.kill('SIGKILL');
      void started.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await run(node);
    } finally {
      await node.stop();
    }
  }
}
