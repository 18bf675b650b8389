import { Registry } from 'prom-client';
import { createLogger } from '../../../src/shared/logger.js';
import { startPacketCapture } from '../../../src/sniffer/shell/capture/pcap-source.js';

/**
 * `capture-drain-runner <device>`: the sniffer's packet capture (immediate mode off, 1 s read
 * timeout) counting DNS answers. On SIGTERM it drains the capture as the sniffer should at
 * shutdown, then prints the counts before and after the drain and libpcap's stats, and exits.
 */
const device = process.argv[2] ?? 'any';
let dnsAnswers = 0;
const capture = startPacketCapture({
  device,
  bufferBytes: 16 * 1024 * 1024,
  readTimeoutMs: 1000,
  registry: new Registry(),
  logger: createLogger('capture-drain-runner', 'warn'),
  sink: { dnsAnswer: () => { dnsAnswers++; }, connection: () => undefined },
});
console.log(JSON.stringify({ type: 'ready', device }));

process.on('SIGTERM', () => {
  const beforeDrain = dnsAnswers;
  const started = Date.now();
  void capture.drain().then(() => {
    const stats = capture.stats();
    capture.stop();
    console.log(JSON.stringify({ type: 'drained', beforeDrain, afterDrain: dnsAnswers, drainMs: Date.now() - started, stats }));
    process.exit(0);
  });
});
