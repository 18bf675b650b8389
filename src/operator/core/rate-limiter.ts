/**
 * How long a failed key waits before it is tried again: the larger of its own exponential
 * backoff (base * 2^failures, capped) and what an overall token bucket allows, so that when the
 * API server is away every key does not come back at once. Time is passed in; no I/O.
 */
export interface RateLimiter {
  /** The delay for this key's next retry; counts the retry. */
  when(id: string, now: number): number;
  /** The key succeeded: its backoff starts over. */
  forget(id: string): void;
  numRequeues(id: string): number;
}

export interface RateLimiterOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Retries per second for all keys together, and how many may go at once. */
  readonly qps: number;
  readonly burst: number;
}

export const defaultRateLimiterOptions: RateLimiterOptions = { baseMs: 200, maxMs: 60_000, qps: 10, burst: 100 };

export class ControllerRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private tokens: number;
  private refilledAt: number | undefined;

  constructor(private readonly options: RateLimiterOptions = defaultRateLimiterOptions) {
    if (!(options.qps > 0) || !(options.burst >= 1)) throw new Error('rate limiter: qps must be > 0 and burst >= 1');
    this.tokens = options.burst;
  }

  when(id: string, now: number): number {
    const failures = this.failures.get(id) ?? 0;
    this.failures.set(id, failures + 1);
    const own = Math.min(this.options.maxMs, this.options.baseMs * 2 ** failures);
    return Math.max(own, this.reserve(now));
  }

  forget(id: string): void {
    this.failures.delete(id);
  }

  numRequeues(id: string): number {
    return this.failures.get(id) ?? 0;
  }

  /** Takes one token (possibly going into debt) and says how long until it is covered. */
  private reserve(now: number): number {
    const { qps, burst } = this.options;
    if (this.refilledAt !== undefined) this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) * qps) / 1000);
    this.refilledAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / qps);
  }
}
