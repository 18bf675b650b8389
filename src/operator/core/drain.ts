import type { Clock } from '../../shared/core/clock.js';

/**
 * Waits until `drained()` holds, re-checking it only when something that can change it happened
 * (`changes()`: promises resolved by the next such event, such as a work queue turning idle), or
 * until `timeoutMs` on the clock. No polling: a shutdown ends as soon as the last write is done,
 * and a test with a manual clock needs no time to pass. Returns whether it drained in time.
 */
export async function waitUntilDrained(drained: () => boolean, changes: () => readonly Promise<unknown>[], clock: Clock, timeoutMs: number): Promise<boolean> {
  if (drained()) return true;
  let timer: unknown;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = clock.setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    // The check and the subscription happen in one turn, so no event falls between them.
    while (!drained()) if ((await Promise.race([timedOut, ...changes()])) === 'timeout') return drained();
    return true;
  } finally {
    clock.clearTimeout(timer);
  }
}
