import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { deleteNamespaces, NetnsProcess, Topology } from '../../test/support/netns/topology.js';
import { addNodeWithSender } from '../../test/support/netns/node-with-sender.js';
import { createScanLoad } from './support/scan-load.js';
import type { ScanLoad } from './support/scan-load.js';

/**
 * The capture path end to end: a sender in its own namespace replays DNS responses over a veth
 * pair into a "node" namespace, where the sniffer's capture side (packet capture pinned to one
 * core, plus the socket scanner over /proc every second) counts them. A rate passes when libpcap
 * reports zero drops (pcap_stats, through patches/cap-0.2.1.patch) and every sent response was
 * decoded. Memory is read at idle and under load, with 100 namespaces x 100
 * connections for the scanner.
 */
const support = (name: string) => fileURLToPath(new URL(`./support/${name}.js`, import.meta.url));
const prefix = 'nmbc';
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rates = (process.env.BENCH_RATES ?? '25000,50000,75000,100000,150000').split(',').map(Number);
const bufferBytes = Number(process.env.BENCH_PCAP_BUFFER ?? 16 * 1024 * 1024);
/** 0: no scan load; otherwise 100 x 100 with the kernel default hash, or a per-namespace one when BENCH_CHILD_EHASH > 0. */
const scanLoad = process.env.BENCH_SCAN_LOAD !== '0';
const childEhash = Number(process.env.BENCH_CHILD_EHASH ?? 1024);
/** Pin the sniffer to CPU 1 and the sender to CPU 0 (BENCH_PIN=0 lets the scheduler choose). */
const pin = process.env.BENCH_PIN !== '0';
/**
 * libpcap sizes ring frames by the MTU only on Ethernet devices without segmentation offloads;
 * otherwise (and always on `any`) by the snap length, which cap fixes at 65535: 128 KiB per
 * packet slot. BENCH_OFFLOAD=off turns TSO/GSO/GRO off on the capture device to show the difference.
 */
const offload = process.env.BENCH_OFFLOAD !== 'off';
/** vsnd (the node end of the sender's veth, Ethernet) or any (Linux cooked capture). */
const device = process.env.BENCH_DEVICE ?? 'any';
/** libpcap's immediate mode: off (the sniffer's default, TPACKET_V3 batches) or on (cap's stock behaviour). */
const immediate = process.env.BENCH_IMMEDIATE === 'on' ? 'on' : 'off';
/** Node flags for the sniffer process (some, such as --heap-growing-percent, are refused in NODE_OPTIONS). */
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

interface Stats {
  dnsAnswers: number;
  scanned: number;
  capture: { received: number; dropped: number; ifDropped: number; delivered: number };
  lastScan?: { namespaces: number; connections: number };
  meanScanSeconds: number;
  ringBytes: number;
  cpuMicros: number;
  rssLoaded: number;
  rss: number;
  peakRss: number;
  malformed: number;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  console.log(`# BENCH_SECONDS=${seconds} BENCH_RATES=${rates.join(',')} BENCH_PCAP_BUFFER=${bufferBytes} BENCH_SCAN_LOAD=${scanLoad ? 1 : 0} BENCH_CHILD_EHASH=${childEhash} BENCH_PIN=${pin ? 1 : 0} BENCH_OFFLOAD=${offload ? 'on' : 'off'} BENCH_DEVICE=${device} BENCH_IMMEDIATE=${immediate}${nodeFlags.length ? ` BENCH_NODE_FLAGS="${nodeFlags.join(' ')}"` : ''} node dist/bench/sniffer/capture.bench.js`);
  console.log(`# node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x ${cpus().length}${pin ? '; sniffer pinned to CPU 1, sender to CPU 0' : ''}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await deleteNamespaces(prefix);
  const topology = new Topology(prefix);
  let load: ScanLoad | undefined;
  let sniffer: NetnsProcess | undefined;
  try {
    await addNodeWithSender(topology, '10.210.0', { offload });

    const child = spawn('ip', ['netns', 'exec', topology.ns('node'), ...(pin ? ['taskset', '-c', '1'] : []), process.execPath, ...nodeFlags,
      support('sniffer-process'), device, String(bufferBytes), '1000', immediate], { stdio: ['pipe', 'pipe', 'pipe'] });
    sniffer = new NetnsProcess(child);
    await sniffer.waitForLine((l) => l === 'ready');
    const stats = async (): Promise<Stats> => {
      const before = sniffer?.lines.length ?? 0;
      child.stdin.write('stats\n');
      const line = await (sniffer as NetnsProcess).waitForLine((l) => l.startsWith('{"type":"stats"') && (sniffer as NetnsProcess).lines.indexOf(l) >= before);
      return JSON.parse(line) as Stats;
    };
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await stats();
    console.log(`idle (no traffic, scanning this machine's namespaces): RSS ${mb(idle.rss)} (node + modules before capture: ${mb(idle.rssLoaded)}; pcap ring mapping ${mb(idle.ringBytes)} for a ${mb(bufferBytes)} buffer)`);

    if (scanLoad) {
      const t0 = Date.now();
      load = await createScanLoad('nmbs', 100, 100, childEhash);
      console.log(`created 100 namespaces x 100 connections (tcp_child_ehash_entries=${childEhash}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await new Promise((r) => setTimeout(r, 3000));
      const scanning = await stats();
      console.log(`scanner under load: last scan ${scanning.lastScan?.namespaces} namespaces, ${scanning.lastScan?.connections} connections; RSS ${mb(scanning.rss)}`);
    }

    console.log('rate (/s) | sent | pcap received | pcap dropped | pcap ifDropped | delivered | decoded answers | lost | sniffer CPU per packet | verdict');
    let best = 0;
    const cpuPerPacketAll: number[] = [];
    for (const rate of rates) {
      const before = await stats();
      const flood = await topology.exec('snd', ...(pin ? ['taskset', '-c', '0', process.execPath] : [process.execPath]) as [string, ...string[]], support('udp-flood'), '10.210.0.2', '10.210.0.1', String(rate), String(seconds));
      // Let the capture drain its ring: wait until its count has not moved for 2 s (longer than
      // libpcap's 1 s block timeout when immediate mode is off).
      let after = await stats();
      for (let settled = 0, waited = 0; settled < 8 && waited < 60; waited++) {
        await new Promise((r) => setTimeout(r, 250));
        const now = await stats();
        settled = now.capture.delivered === after.capture.delivered ? settled + 1 : 0;
        after = now;
      }
      const { sent, errors } = JSON.parse(flood.trim()) as { sent: number; errors: number; seconds: number };
      const received = after.capture.received - before.capture.received;
      const dropped = after.capture.dropped - before.capture.dropped;
      const ifDropped = after.capture.ifDropped - before.capture.ifDropped;
      const delivered = after.capture.delivered - before.capture.delivered;
      const answers = after.dnsAnswers - before.dnsAnswers;
      const lost = sent - answers;
      const cpuPerPacket = (after.cpuMicros - before.cpuMicros) / Math.max(delivered, 1);
      cpuPerPacketAll.push(cpuPerPacket);
      const ok = lost === 0 && dropped === 0 && errors === 0;
      if (ok) best = Math.max(best, rate);
      const verdict = ok ? 'no loss' : `LOSS ${(100 * lost / Math.max(sent, 1)).toFixed(2)}% (pcap dropped ${dropped})`;
      console.log(`${rate} | ${sent} | ${received} | ${dropped} | ${ifDropped} | ${delivered} | ${answers} | ${lost} | ${cpuPerPacket.toFixed(2)} µs | ${verdict}${errors ? ` (${errors} send errors)` : ''}`);
    }
    const end = await stats();
    console.log(`highest rate with zero pcap drops and every response decoded: ${best}/s (target >= 50,000/s)`);
    const cheapest = Math.min(...cpuPerPacketAll);
    console.log(`sniffer CPU per captured response: ${cpuPerPacketAll.map((c) => c.toFixed(2)).join(', ')} µs (incl. idle wake-ups and the scanner); one core at ${cheapest.toFixed(2)} µs sustains ${Math.round(1e6 / cheapest).toLocaleString('en-US')}/s`);
    console.log(`memory: idle ${mb(idle.rss)}, under load (scan of ${end.lastScan?.namespaces} namespaces + capture) peak ${mb(end.peakRss)} (target < 80 MB)`);
    console.log(`scanner in the sniffer process: mean scan ${(end.meanScanSeconds * 1000).toFixed(1)} ms; malformed seen ${end.malformed}`);
  } finally {
    if (sniffer) {
      sniffer.child.stdin?.write('exit\n');
      await sniffer.stop();
    }
    await load?.destroy();
    await topology.destroy();
  }
}

await main();
