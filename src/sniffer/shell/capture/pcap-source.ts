// PLACEHOLDER, to be replaced at merge by the capture engineer's module of the same name and
// signature. It exists only so that src/sniffer/main.ts compiles on the reporting branch.
import type { Registry } from 'prom-client';
import type { Logger } from '../../../shared/logger.js';
import type { ObservationSink } from '../../core/observed.js';

export interface PacketCapture {
  stop(): void;
  stats(): { received: number; dropped: number; ifDropped: number };
}

export function startPacketCapture(_options: {
  device: string;
  bufferBytes: number;
  snapLength?: number;
  sink: ObservationSink;
  registry: Registry;
  logger: Logger;
  filter?: string;
}): PacketCapture {
  throw new Error('packet capture: not merged yet (placeholder for src/sniffer/shell/capture/pcap-source.ts)');
}
