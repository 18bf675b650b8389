import { errorFields, type Logger } from '../../../src/shared/logger.js';

export interface SyncLoop {
  /** Runs one pass now (waiting for a running one first). */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `pass` every `intervalMs`, one at a time. Listing everything each pass is cheap for a
 * one-node demo and survives an API server restart without watch bookkeeping. Failures are
 * logged once per distinct message, so a down API server does not flood the terminal.
 */
export function startSyncLoop(name: string, intervalMs: number, log: Logger, pass: () => Promise<void>): SyncLoop {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let lastError = '';
  const runOnce = (): Promise<void> => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await pass();
        lastError = '';
      } catch (error) {
        const fields = errorFields(error);
        if (fields.error !== lastError) log.warn(`${name} sync failed`, fields);
        lastError = fields.error;
      }
    });
    return running;
  };
  const timer = setInterval(() => void runOnce(), intervalMs);
  void runOnce();
  return {
    kick: runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
