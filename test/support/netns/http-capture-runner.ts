import { Registry } from 'prom-client';
import { createLogger } from '../../../src/shared/logger.js';
import { ObservationBuffer } from '../../../src/sniffer/core/observation-buffer.js';
import type { ObservationSink } from '../../../src/sniffer/core/observed.js';
import { startPacketCapture } from '../../../src/sniffer/shell/capture/pcap-source.js';

/**
 * `http-capture-runner <device> <snapLength>`: the sniffer's HTTP capture in the namespace it is
 * started in, printing every request as a JSON line and feeding the sniffer's ObservationBuffer.
 * On SIGTERM it drains the capture, closes the window and prints the NetworkObservation parts,
 * the capture's stats and its metrics, then exits.
 */
const device = process.argv[2] ?? 'any';
const snapLength = Number(process.argv[3] ?? 1024);
const registry = new Registry();
const buffer = new ObservationBuffer({ nodeName: 'node-a', maxBytes: 16 * 1024 * 1024, startMs: Date.now() });
const noop = (): void => undefined;
const sink: ObservationSink = {
  dnsAnswer: noop,
  connection: noop,
  httpRequest(request) {
    console.log(JSON.stringify({ type: 'http', ...request }));
    buffer.httpRequest(request);
  },
};
const capture = startPacketCapture({
  decoder: 'http', device, bufferBytes: 4 * 1024 * 1024, snapLength, readTimeoutMs: 100, sink, registry,
  logger: createLogger('http-capture-runner', 'warn'),
});
console.log(JSON.stringify({ type: 'ready', device, linkType: capture.linkType }));

process.on('SIGTERM', () => {
  void (async () => {
    await capture.drain();
    const stats = capture.stats();
    capture.stop();
    buffer.closeWindow(Date.now());
    const parts = buffer.nextBatch()?.parts.map((p) => p.spec) ?? [];
    const metrics = await registry.getMetricsAsJSON();
    console.log(JSON.stringify({ type: 'stats', stats, parts, metrics }));
    process.exit(0);
  })();
});
