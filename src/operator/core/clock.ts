/** A timer's handle, opaque to everyone but the clock that made it. */
export type TimerHandle = unknown;

/**
 * The one source of time and timers for the operator: the manager hands the same clock to its
 * controllers' work queues, its reconcilers, the stores' ageing and its own maintenance, so a
 * test can move time (test/support/test-clock.ts) instead of sleeping. Core never reads the
 * time itself (lint: no Date.now, no timers in core).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
