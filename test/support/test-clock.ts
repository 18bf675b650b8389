import type { Clock, TimerHandle } from '../../src/shared/core/clock.js';

/**
 * A clock that moves only when the test says so: `advance(ms)` runs every timer that falls due,
 * in time order (timers set by those callbacks included). For unit tests of code that takes a
 * Clock: no sleeping, no wall-clock limits.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ at: this.current + Math.max(0, ms), fn, id });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers waiting. */
  get pending(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = end;
  }
}

/**
 * Real time and real timers, shifted forward on demand: for integration tests where the API
 * server and informers run in real time but the operator's ageing (target expiry, gone
 * workloads) must pass hours or seconds at once. `advance(ms)` moves `now()` forward; the
 * timers still fire in real time. Whatever the test stamps (observation windows, records) it
 * stamps with this clock's `now()`, so the operator and its input agree on the time.
 */
export class ShiftedClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return setTimeout(fn, ms);
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Real time again. */
  reset(): void {
    this.offsetMs = 0;
  }
}
