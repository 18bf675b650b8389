/** A timer's handle, opaque to everyone but the clock that made it. */
export type TimerHandle = unknown;

/**
 * The one source of time and timers for a component: the operator's manager hands the same clock
 * to its controllers' work queues, its reconcilers, the stores' ageing and its own maintenance;
 * the sniffer's reporter times its windows, retries and flush deadline with it. A test moves time
 * (test/support/test-clock.ts) instead of sleeping. Core never reads the time itself (lint: no
 * Date.now, no timers in core).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
