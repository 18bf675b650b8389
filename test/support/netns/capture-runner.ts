import { Registry } from 'prom-client';
import { createLogger } from '../../../src/shared/logger.js';
import type { ObservationSink } from '../../../src/sniffer/core/observed.js';
import { startPacketCapture } from '../../../src/sniffer/shell/capture/pcap-source.js';

/**
 * Runs the sniffer's packet capture in the namespace it is started in (`ip netns exec`), and
 * prints every observation as a JSON line: `capture-runner <device> [bufferBytes]`. On SIGTERM it
 * prints the capture's stats and metrics, then exits.
 */
const device = process.argv[2] ?? 'any';
const bufferBytes = Number(process.argv[3] ?? 16 * 1024 * 1024);
const quiet = process.argv[4] === 'count';
const registry = new Registry();
let dnsAnswers = 0;
let connections = 0;
const sink: ObservationSink = {
  dnsAnswer(answer) {
    dnsAnswers++;
    if (!quiet) console.log(JSON.stringify({ type: 'dns', ...answer }));
  },
  connection(connection) {
    connections++;
    if (!quiet) console.log(JSON.stringify({ type: 'connection', ...connection }));
  },
};
const capture = startPacketCapture({ device, bufferBytes, sink, registry, logger: createLogger('capture-runner', 'warn') });
console.log(JSON.stringify({ type: 'ready', device, linkType: capture.linkType }));

process.on('SIGTERM', () => {
  void registry.getMetricsAsJSON().then((metrics) => {
    console.log(JSON.stringify({ type: 'stats', dnsAnswers, connections, stats: capture.stats(), rssBytes: process.memoryUsage().rss, metrics }));
    capture.stop();
    process.exit(0);
  });
});
