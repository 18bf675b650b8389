// PLACEHOLDER, to be replaced at merge by the capture engineer's module of the same name and
// signature. It exists only so that src/sniffer/main.ts compiles on the reporting branch.
import type { Registry } from 'prom-client';
import type { Logger } from '../../../shared/logger.js';
import type { ObservationSink } from '../../core/observed.js';

export interface SocketScanner {
  stop(): void;
  scanOnce(): Promise<number>;
}

export function startSocketScanner(_options: {
  procRoot: string;
  intervalMs: number;
  sink: ObservationSink;
  registry: Registry;
  logger: Logger;
}): SocketScanner {
  throw new Error('socket scan: not merged yet (placeholder for src/sniffer/shell/socket-scan/socket-scanner.ts)');
}
