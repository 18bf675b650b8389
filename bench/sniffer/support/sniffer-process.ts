import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Registry } from 'prom-client';
import { createLogger } from '../../../src/shared/logger.js';
import type { ObservationSink } from '../../../src/sniffer/core/observed.js';
import { startPacketCapture } from '../../../src/sniffer/shell/capture/pcap-source.js';
import { startSocketScanner } from '../../../src/sniffer/shell/socket-scan/socket-scanner.js';

/**
 * The sniffer's capture side as one process, for the benchmarks: packet capture on a device plus
 * the socket scanner over /proc every second, with a counting sink. Commands on stdin: `stats`
 * prints a JSON line, `exit` stops. `sniffer-process <device> <bufferBytes> <scanIntervalMs> [immediate]`.
 */
const [device = 'any', bufferText = '16777216', intervalText = '1000', immediateText = 'off'] = process.argv.slice(2);
const rssLoaded = process.memoryUsage().rss;
const registry = new Registry();
const logger = createLogger('bench-sniffer', 'warn');
const counts = { dnsAnswers: 0, connections: 0, scanned: 0 };
const sink: ObservationSink = {
  dnsAnswer: () => { counts.dnsAnswers++; },
  connection: (c) => { if (c.source === 'SYN') counts.connections++; else counts.scanned++; },
};
const capture = startPacketCapture({ device, bufferBytes: Number(bufferText), immediateMode: immediateText === 'on', sink, registry, logger });
const scanner = startSocketScanner({ procRoot: '/proc', intervalMs: Number(intervalText), sink, registry, logger });
let peakRss = process.memoryUsage().rss;
setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100).unref();

/** libpcap's packet ring is this process's shared mapping of a socket; its size tells the frame layout. */
function ringBytes(): number {
  const lines = readFileSync('/proc/self/smaps', 'utf8').split('\n');
  let total = 0;
  lines.forEach((line, i) => {
    if (!/ socket:\[\d+\]$/.test(line)) return;
    const size = /^Size:\s+(\d+) kB/.exec(lines[i + 1] ?? '');
    if (size) total += Number(size[1]) * 1024;
  });
  return total;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'stats') {
    void registry.getMetricsAsJSON().then((metrics) => {
      const scan = metrics.find((m) => m.name === 'netmap_sniffer_socket_scan_seconds');
      const sum = scan?.values.find((v) => (v as { metricName?: string }).metricName === 'netmap_sniffer_socket_scan_seconds_sum')?.value ?? 0;
      const scans = scan?.values.find((v) => (v as { metricName?: string }).metricName === 'netmap_sniffer_socket_scan_seconds_count')?.value ?? 0;
      const memory = process.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      console.log(JSON.stringify({
        type: 'stats', ...counts, capture: capture.stats(), lastScan: scanner.lastScan(),
        scans, meanScanSeconds: scans ? sum / scans : 0,
        ringBytes: ringBytes(),
        cpuMicros: (({ user, system }) => user + system)(process.cpuUsage()),
        rssLoaded, rss: memory.rss, peakRss, heapUsed: memory.heapUsed,
        malformed: metrics.find((m) => m.name === 'netmap_sniffer_malformed_total')?.values.reduce((a, v) => a + v.value, 0) ?? 0,
      }));
    });
  } else if (line === 'exit') {
    scanner.stop();
    capture.stop();
    process.exit(0);
  }
});
console.log('ready');
