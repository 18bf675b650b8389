import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addNodeWithSender } from '../../test/support/netns/node-with-sender.js';
import { deleteNamespaces, NetnsProcess, Topology } from '../../test/support/netns/topology.js';
import { slotted, slottedOctet, slottedPort } from '../../test/support/test-slot.js';
import { topSelfTime } from './support/cpu-profile.js';
import { cpuSeconds, deployed, fetchInNamespace, parseMetrics, readStatus, snifferMain } from './support/deployed-sniffer.js';
import { summarize, type MemorySample } from './support/memory-samples.js';
import { startNodeApiServer, type NodeApiServer } from './support/node-api-server.js';
import { packetSocketStats } from './support/packet-socket-stats.js';
import { createScanLoad } from './support/scan-load.js';
import { benchCleanUp, type BenchParts } from './support/bench-cleanup.js';
import { synFlood } from './support/syn-flood.js';

/*
 * Our sniffer and the reference sniffer (Otterize's, `$OTTERIZE_BIN_DIR/otterize-sniffer`) on the
 * same traffic in one run, one after the other, several rounds, interleaved (the machine is shared).
 * Each runs in the same "node" network namespace, pinned to CPU 1, capturing on `any` and scanning
 * the machine's /proc every second (ours: SCAN_INTERVAL_SECONDS from the DaemonSet; the reference
 * scans once per report, OTTERIZE_SNIFFER_REPORT_INTERVAL set to the same). Ours runs with the
 * DaemonSet's node flags and environment and writes to a private control plane; the reference
 * reports to a loopback HTTP server answering `{"data": {}}` (support/graphql-mapper.ts).
 * Per run: idle (RSS anonymous and file-backed apart, CPU over the idle phase as % of a core),
 * then DNS response floods and SYN floods at several rates from a sender namespace pinned to CPU 0:
 * CPU per packet, peak RSS, and loss (ours from pcap_stats via /metrics; the reference's from its
 * packet sockets' PACKET_STATISTICS, support/packet-socket-stats.ts). With the socket-scan load
 * (100 namespaces x 100 connections) off and on.
 * HTTP phase (issue 19): keep-alive clients in the sender namespace (support/http-load.ts, 64
 * connections, one request at a time each, paths with ids) against a fixed responder in the node
 * namespace (support/http-responder.ts), both pinned to CPU 0, at BENCH_HTTP_RATES requests/s.
 * `ours +http` is our sniffer with HTTP_CAPTURE=true (a contender of its own in every round);
 * `ours` keeps the DaemonSet's HTTP_CAPTURE=false, so its DNS and SYN figures are the old ones.
 * The reference sees only the connections' SYNs of that phase (its filter has no payload).
 * Run (root): OTTERIZE_BIN_DIR=<dir> node dist/bench/sniffer/side-by-side.bench.js
 * BENCH_SHORT=1 (one round, load on, short phases: ~2 min; the full run is ~10 min), BENCH_ROUNDS (2), BENCH_IDLE_SECONDS
 * (30), BENCH_FLOOD_SECONDS (4), BENCH_DNS_RATES (10000,50000,100000), BENCH_SYN_RATES
 * (5000,20000), BENCH_HTTP_RATES (20000; empty: no HTTP phase and no `ours +http`), BENCH_SCAN_LOAD (off,on), BENCH_CPU_PROF=1 (also profiles our sniffer at idle with
 * node --cpu-prof and prints its top self-time functions), BENCH_VARIANTS='--max-opt=1;--lite-mode' (our
 * sniffer with these node flags added too, one run each per round, with the scan load on),
 * BENCH_REPORT_FROM=<file> (no run: the tables again from the JSON lines of an earlier run's output).
 */
const binDir = process.env.OTTERIZE_BIN_DIR;
const reference = binDir ? join(binDir, 'otterize-sniffer') : undefined;
const short = process.env.BENCH_SHORT === '1';
const numbers = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').filter(Boolean).map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? (short ? 1 : 2));
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? (short ? 10 : 30));
const floodSeconds = Number(process.env.BENCH_FLOOD_SECONDS ?? (short ? 2 : 4));
const dnsRates = numbers('BENCH_DNS_RATES', short ? '50000' : '10000,50000,100000');
const synRates = numbers('BENCH_SYN_RATES', short ? '5000' : '5000,20000');
const httpRates = numbers('BENCH_HTTP_RATES', '20000');
const httpPort = 8088;
const httpConnections = 64;
const scanLoads = (process.env.BENCH_SCAN_LOAD ?? (short ? 'on' : 'off,on')).split(',') as ('off' | 'on')[];
const cpuProfile = process.env.BENCH_CPU_PROF === '1';
/** Node flags to try on our sniffer besides the DaemonSet's, each a run of its own with the scan load on ('--max-opt=1;--lite-mode'). */
const variants = (process.env.BENCH_VARIANTS ?? '').split(';').map((v) => v.trim()).filter(Boolean).map((v) => v.split(/\s+/));
/** After a flood, for the last batch (ours: one read timeout) and the report that follows. */
const tailMs = 2_500;

const prefix = slotted('nmbs');
const scanPrefix = slotted('nmbr');
const octet = slottedOctet(212);
const nodeAddress = `10.${octet}.0.1`;
const senderAddress = `10.${octet}.0.2`;
const synPort = 8080;
const ourPort = slottedPort(9479);
const mapperPort = slottedPort(19090);
const refHealthPort = slottedPort(19091);
const refMetricsPort = slottedPort(19092);
const namespace = 'netmap-bench-side-by-side';
const support = (name: string) => fileURLToPath(new URL(`./support/${name}.js`, import.meta.url));

/** 'reference', 'ours', or ours with other node flags ('ours --max-opt=1'). */
type Sniffer = string;
interface Flood {
  kind: 'dns' | 'syn' | 'http';
  rate: number;
  sent: number;
  cpuSeconds: number;
  /** Packets the capture was offered and the kernel dropped (ours: pcap_stats; the reference: PACKET_STATISTICS). */
  received: number;
  dropped: number;
}
interface RunResult {
  sniffer: Sniffer;
  scanLoad: 'off' | 'on';
  round: number;
  idle: { rss: number; anon: number; file: number; cpuPercent: number };
  peakRss: number;
  floods: Flood[];
}

let running: NetnsProcess | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

interface Started {
  process: NetnsProcess;
  pid: number;
  /** Loss over the last phase: ours from its /metrics, the reference's from its sockets. */
  loss(): Promise<{ received: number; dropped: number }>;
}

async function startSniffer(sniffer: Sniffer, topology: Topology, ctx: { workDir: string; api: NodeApiServer; profileDir?: string }): Promise<Started> {
  const pin = ['taskset', '-c', '1'];
  const base = deployed();
  const ours = sniffer.startsWith('ours');
  let child;
  if (ours) {
    const extra = sniffer.split(' ').slice(1).filter((flag) => flag !== '+http');
    const http = sniffer.split(' ').includes('+http');
    const flags = [...base.flags, ...extra, ...(ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : [])];
    child = spawn('ip', ['netns', 'exec', topology.ns('node'), ...pin, process.execPath, ...flags, snifferMain], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '', ...base.env,
        KUBECONFIG: ctx.api.kubeconfig, NODE_NAME: `bench-node-${topology.suffix}`, POD_NAMESPACE: namespace,
        PROC_ROOT: '/proc', CAPTURE_DEVICE: 'any', HTTP_PORT: String(ourPort),
        ...(http ? { HTTP_CAPTURE: 'true' } : {}),
      },
    });
  } else {
    child = spawn('ip', ['netns', 'exec', topology.ns('node'), ...pin, reference as string], {
      cwd: ctx.workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        KUBECONFIG: join(ctx.workDir, 'dummy-kubeconfig'),
        OTTERIZE_HOST_PROC_DIR: '/proc',
        AWS_EC2_METADATA_DISABLED: 'true',
        OTTERIZE_TELEMETRY_ENABLED: 'false', OTTERIZE_TELEMETRY_ERRORS_ENABLED: 'false', OTTERIZE_TELEMETRY_USAGE_ENABLED: 'false',
        OTTERIZE_MAPPER_API_URL: `http://127.0.0.1:${mapperPort}/query`,
        OTTERIZE_SNIFFER_REPORT_INTERVAL: `${Number(base.env.SCAN_INTERVAL_SECONDS ?? 1)}s`,
        OTTERIZE_HEALTH_PROBES_PORT: String(refHealthPort),
        OTTERIZE_METRICS_PORT: String(refMetricsPort),
      },
    });
  }
  const process_ = new NetnsProcess(child);
  running = process_;
  const pid = child.pid;
  if (pid === undefined) throw new Error(`the ${sniffer} sniffer did not start`);
  const readyUrl = ours ? `http://127.0.0.1:${ourPort}/readyz` : `http://127.0.0.1:${refMetricsPort}/metrics`;
  for (let waited = 0; ; waited += 500) {
    if (child.exitCode !== null) throw new Error(`the ${sniffer} sniffer exited with ${child.exitCode}: ${process_.stderr}`);
    if ((await fetchInNamespace(topology, 'node', readyUrl)).status === 200) break;
    if (waited > 30_000) throw new Error(`the ${sniffer} sniffer was not ready within 30 s: ${process_.stderr}`);
    await sleep(500);
  }
  if (ours) {
    let last = { received: 0, dropped: 0 };
    const read = async () => {
      const metrics = parseMetrics((await fetchInNamespace(topology, 'node', `http://127.0.0.1:${ourPort}/metrics`)).body);
      // Both captures when the HTTP one runs: every packet handed to user space counts.
      return {
        received: (metrics.get('netmap_sniffer_pcap_received_total') ?? NaN) + (metrics.get('netmap_sniffer_http_pcap_received_total') ?? 0),
        dropped: (metrics.get('netmap_sniffer_pcap_dropped_total') ?? NaN) + (metrics.get('netmap_sniffer_http_pcap_dropped_total') ?? 0),
      };
    };
    return {
      process: process_, pid,
      async loss() {
        const now = await read();
        const delta = { received: now.received - last.received, dropped: now.dropped - last.dropped };
        last = now;
        return delta;
      },
    };
  }
  return {
    process: process_, pid,
    async loss() {
      const { packets, drops } = await packetSocketStats(pid);
      return { received: packets, dropped: drops };
    },
  };
}

async function measure(sniffer: Sniffer, topology: Topology, ctx: { workDir: string; api: NodeApiServer }, scanLoad: 'off' | 'on', round: number): Promise<RunResult> {
  const started = await startSniffer(sniffer, topology, ctx);
  const { pid } = started;
  try {
    // Let the first scans, reports and JIT settle.
    await sleep(5_000);
    const samples: MemorySample[] = [];
    const sample = () => {
      const s = readStatus(pid);
      if (s) samples.push(s);
    };
    const sampler = setInterval(sample, 100);
    const idleCpu0 = cpuSeconds(pid);
    const idleT0 = performance.now();
    await sleep(idleSeconds * 1000);
    const idleCpu = (cpuSeconds(pid) - idleCpu0) / ((performance.now() - idleT0) / 1000);
    const idle = summarize(samples.splice(0));

    const floods: Flood[] = [];
    await started.loss();
    const plan = [
      ...dnsRates.map((rate) => ({ kind: 'dns' as const, rate })),
      ...synRates.map((rate) => ({ kind: 'syn' as const, rate })),
      ...httpRates.map((rate) => ({ kind: 'http' as const, rate })),
    ];
    for (const { kind, rate } of plan) {
      const cpu0 = cpuSeconds(pid);
      let sent: number;
      if (kind === 'dns') {
        const out = await topology.exec('snd', 'taskset', '-c', '0', process.execPath, support('udp-flood'), senderAddress, nodeAddress, String(rate), String(floodSeconds));
        sent = (JSON.parse(out.trim()) as { sent: number }).sent;
      } else if (kind === 'syn') {
        sent = (await synFlood(topology, 'snd', { source: senderAddress, target: nodeAddress, port: synPort, rate, seconds: floodSeconds, cpu: 0 })).sent;
      } else {
        const out = await topology.exec('snd', 'taskset', '-c', '0', process.execPath, support('http-load'), nodeAddress, String(httpPort), String(rate), String(floodSeconds), String(httpConnections));
        sent = (JSON.parse(out.trim()) as { sent: number }).sent;
      }
      await sleep(tailMs);
      const cpu = cpuSeconds(pid) - cpu0;
      const loss = await started.loss();
      floods.push({ kind, rate, sent, cpuSeconds: Number(cpu.toFixed(2)), ...loss });
    }
    clearInterval(sampler);
    const loaded = summarize(samples.splice(0));
    return {
      sniffer, scanLoad, round,
      idle: { rss: idle.rssMedian, anon: idle.anonMedian, file: idle.fileMedian, cpuPercent: Number((idleCpu * 100).toFixed(2)) },
      peakRss: Math.max(loaded.rssMax, idle.rssMax),
      floods,
    };
  } finally {
    await started.process.stop();
    running = undefined;
  }
}

/** Our sniffer at idle under node --cpu-prof: where its idle CPU goes. */
async function profileIdle(topology: Topology, ctx: { workDir: string; api: NodeApiServer }): Promise<void> {
  const profileDir = join(ctx.workDir, 'cpu-profile');
  mkdirSync(profileDir);
  const started = await startSniffer('ours', topology, { ...ctx, profileDir });
  await sleep((5 + idleSeconds) * 1000);
  await started.process.stop();
  running = undefined;
  console.log(`# our sniffer at idle under --cpu-prof (${5 + idleSeconds} s from ready): top self time`);
  for (const { name, share } of topSelfTime(profileDir, 20)) console.log(`#   ${(share * 100).toFixed(1).padStart(5)} %  ${name}`);
}

const packetName = { dns: 'DNS response', syn: 'SYN', http: 'HTTP request' } as const;
const perPacketUs = (f: Flood | undefined) => (f && f.sent ? (f.cpuSeconds / f.sent) * 1e6 : NaN);
/**
 * Per packet the sniffer took from the ring (offered minus dropped): a sniffer that drops part of
 * a flood does not pay for those packets, so per packet sent would flatter it.
 */
const perProcessedUs = (f: Flood | undefined) => (f && f.received - f.dropped > 0 ? (f.cpuSeconds / (f.received - f.dropped)) * 1e6 : NaN);

function ratioRows(ours: RunResult, ref: RunResult): [string, number, number][] {
  const rows: [string, number, number][] = [
    ['idle RSS (MB)', ours.idle.rss / 2 ** 20, ref.idle.rss / 2 ** 20],
    ['idle RssAnon (MB)', ours.idle.anon / 2 ** 20, ref.idle.anon / 2 ** 20],
    ['idle RssFile (MB)', ours.idle.file / 2 ** 20, ref.idle.file / 2 ** 20],
    ['peak RSS under the floods (MB)', ours.peakRss / 2 ** 20, ref.peakRss / 2 ** 20],
    ['idle CPU (% of a core)', ours.idle.cpuPercent, ref.idle.cpuPercent],
  ];
  for (const f of ours.floods) {
    const other = ref.floods.find((g) => g.kind === f.kind && g.rate === f.rate);
    rows.push([`CPU per ${packetName[f.kind]} sent at ${f.rate / 1000}k/s (µs)`, perPacketUs(f), perPacketUs(other)]);
  }
  for (const f of ours.floods) {
    const other = ref.floods.find((g) => g.kind === f.kind && g.rate === f.rate);
    // HTTP phase: per packet captured, whatever it was (ours +http: the requests; the reference: the SYNs).
    rows.push([`CPU per ${f.kind === 'http' ? 'packet' : packetName[f.kind]} captured (not dropped) in the ${f.kind === 'http' ? `HTTP ${f.rate / 1000}k requests/s phase` : `${f.rate / 1000}k/s phase`} (µs)`, perProcessedUs(f), perProcessedUs(other)]);
  }
  return rows;
}

const fmt = (n: number) => (Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2)) : '—');

function report(results: RunResult[]): void {
  for (const [scanLoad, contender] of scanLoads.flatMap((l) => [...new Set(results.filter((r) => r.scanLoad === l).map((r) => r.sniffer))].filter((c) => c !== 'reference').map((c) => [l, c] as const))) {
    const pairs = [...new Set(results.map((r) => r.round))].flatMap((round) => {
      const ours = results.find((r) => r.sniffer === contender && r.round === round && r.scanLoad === scanLoad);
      const ref = results.find((r) => r.sniffer === 'reference' && r.round === round && r.scanLoad === scanLoad);
      return ours && ref ? [{ round, rows: ratioRows(ours, ref) }] : [];
    });
    if (!pairs.length) continue;
    console.log(`\n### socket-scan load ${scanLoad === 'on' ? 'on (100 namespaces x 100 connections)' : 'off'}: ${contender} / reference\n`);
    console.log(`| measure | ${pairs.map((p) => `round ${p.round + 1} ours / ref = ratio`).join(' | ')} | median ratio |`);
    console.log(`| --- | ${pairs.map(() => '---').join(' | ')} | ---: |`);
    const labels = pairs[0]?.rows.map((r) => r[0]) ?? [];
    labels.forEach((label, i) => {
      const cells = pairs.map((p) => p.rows[i] as [string, number, number]);
      const ratios = cells.map(([, a, b]) => a / b);
      console.log(`| ${label} | ${cells.map(([, a, b]) => `${fmt(a)} / ${fmt(b)} = ${fmt(a / b)}`).join(' | ')} | **${fmt(median(ratios))}** |`);
    });
    console.log(`\nloss (dropped / offered to the capture):`);
    for (const r of results.filter((x) => x.scanLoad === scanLoad && (x.sniffer === contender || x.sniffer === 'reference'))) {
      // The sender may fall short of the asked rate on a busy machine: the rate reached is printed too.
      console.log(`  round ${r.round + 1} ${r.sniffer}: ${r.floods.map((f) => `${f.kind} ${f.rate / 1000}k/s ${f.dropped}/${f.received} of ${f.sent} sent (${(f.sent / floodSeconds / 1000).toFixed(1)}k/s reached)`).join('; ')}`);
    }
  }
}

async function main(): Promise<void> {
  const earlier = process.env.BENCH_REPORT_FROM;
  if (earlier) {
    // The tables again from the JSON lines an earlier run printed (one per sniffer run).
    report(readFileSync(earlier, 'utf8').split('\n').filter((line) => line.startsWith('{"sniffer"')).map((line) => JSON.parse(line) as RunResult));
    return;
  }
  if (!reference || !existsSync(reference)) {
    console.log(`side-by-side with the reference sniffer: NOT RUN (OTTERIZE_BIN_DIR ${binDir ? `has no otterize-sniffer: ${binDir}` : 'is not set'}; scripts/bench.sh sets it from OTTERIZE_PEERS_DIR)`);
    return;
  }
  const base = deployed();
  console.log(`# node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x ${cpus().length}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`# ours: node ${base.flags.join(' ')} dist/src/sniffer/main.js (DaemonSet flags and env); reference: ${reference}`);
  console.log(`# rounds ${rounds}, idle ${idleSeconds} s, floods ${floodSeconds} s each: DNS ${dnsRates.join(',')}/s, SYN ${synRates.join(',')}/s, HTTP ${httpRates.join(',')} requests/s (${httpConnections} keep-alive connections); scan load ${scanLoads.join(',')}`);
  await deleteNamespaces(prefix);
  await deleteNamespaces(scanPrefix);
  const workDir = mkdtempSync(join(tmpdir(), 'netmap-side-by-side-'));
  // The reference needs ./version and a kubeconfig (unused: it reports to the mapper only).
  writeFileSync(join(workDir, 'version'), 'bench\n');
  writeFileSync(join(workDir, 'dummy-kubeconfig'), [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]',
    'users: [{name: none, user: {token: none}}]',
    'contexts: [{name: none, context: {cluster: none, user: none}}]',
    'current-context: none', '',
  ].join('\n'));
  const topology = new Topology(prefix);
  const parts: BenchParts = { topology, workDir };
  const cleanUp = benchCleanUp(parts, () => running);
  const results: RunResult[] = [];
  const loads: number[] = [];
  try {
    await addNodeWithSender(topology, `10.${octet}.0`);
    // Neither the generated responses nor the SYNs reach a socket: no replies, no RSTs.
    await topology.exec('node', 'iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(synPort), '-j', 'DROP');
    const api = await startNodeApiServer(topology, workDir, namespace);
    parts.api = api;
    const ctx = { workDir, api };
    await topology.spawnNode('node', support('graphql-mapper'), String(mapperPort)).waitForLine((l) => l === 'ready');
    if (httpRates.length > 0) {
      // Stopped with the topology; pinned beside the sender, away from the sniffers' CPU 1.
      const responder = topology.spawnNode('node', support('http-responder'), nodeAddress, String(httpPort));
      await responder.waitForLine((l) => l === 'ready');
      spawnSync('taskset', ['-a', '-p', '-c', '0', String(responder.child.pid)], { stdio: 'ignore' });
    }
    for (const scanLoad of scanLoads) {
      if (scanLoad === 'on' && !parts.load) {
        const t0 = Date.now();
        parts.load = await createScanLoad(scanPrefix, 100, 100);
        console.log(`# scan load: 100 namespaces x 100 connections in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      if (scanLoad === 'off' && parts.load) throw new Error('BENCH_SCAN_LOAD: off must come before on');
      if (cpuProfile && scanLoad === scanLoads.at(-1)) await profileIdle(topology, ctx);
      for (let round = 0; round < rounds; round++) {
        const tried = [...(httpRates.length > 0 ? ['ours +http'] : []), ...(scanLoad === 'on' ? variants.map((flags) => `ours ${flags.join(' ')}`) : [])];
        const order: Sniffer[] = round % 2 === 0 ? ['reference', 'ours', ...tried] : [...tried, 'ours', 'reference'];
        for (const sniffer of order) {
          const result = await measure(sniffer, topology, ctx, scanLoad, round);
          loads.push(loadavg()[0] ?? NaN);
          results.push(result);
          console.log(`${sniffer} scan load ${scanLoad} round ${round + 1}: idle RSS ${mb(result.idle.rss)} MB (anon ${mb(result.idle.anon)}, file ${mb(result.idle.file)}), idle CPU ${result.idle.cpuPercent} %, peak ${mb(result.peakRss)} MB; ` +
            result.floods.map((f) => `${f.kind} ${f.rate / 1000}k/s ${fmt(perPacketUs(f))} µs/pkt lost ${f.dropped}/${f.received}`).join(', '));
          console.log(JSON.stringify(result));
        }
      }
    }
  } finally {
    await cleanUp();
  }
  report(results);
  console.log(`\n1-minute load average after each run: ${loads.map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`command: ${Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v} `).join('')}OTTERIZE_BIN_DIR=<dir> node dist/bench/sniffer/side-by-side.bench.js`);
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
