import type { RateLimiter } from './rate-limiter.js';

/** Timers, injected so the queue is plain logic and tests drive time themselves. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Told about what the queue does, for metrics; every method is optional. */
export interface QueueObserver {
  added?(): void;
  retried?(): void;
  /** How long a key waited between being added and being handed out. */
  waited?(ms: number): void;
}

export interface WorkQueueOptions<K> {
  readonly timers: Timers;
  readonly limiter: RateLimiter;
  /** The clock for wait-time metrics (injected: core never reads the time itself). */
  readonly now: () => number;
  /**
   * The identity of a key: keys are typed requests, and two requests with the same identity are
   * the same work. Never parsed back; the queue hands out the request itself.
   */
  readonly idOf: (key: K) => string;
  readonly observer?: QueueObserver;
}

/**
 * A keyed work queue: a key waits at most once (adding it again while it waits does nothing),
 * a key being processed is never handed out again until done() (if it was added meanwhile it
 * comes back afterwards), and failures are retried after the rate limiter's delay.
 */
export class WorkQueue<K> {
  private readonly ready: string[] = [];
  private readonly keys = new Map<string, K>();
  private readonly addedAt = new Map<string, number>();
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly delayed = new Map<string, { handle: unknown; at: number }>();
  private readonly waiters: ((key: K | undefined) => void)[] = [];
  /** Resolved (and dropped) the next time the queue turns idle; one promise however many wait. */
  private idleSignal: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
  private shutDown = false;
  private readonly timers: Timers;
  private readonly limiter: RateLimiter;
  private readonly now: () => number;
  private readonly idOf: (key: K) => string;
  private readonly observer: QueueObserver;

  constructor(options: WorkQueueOptions<K>) {
    this.timers = options.timers;
    this.limiter = options.limiter;
    this.now = options.now;
    this.idOf = options.idOf;
    this.observer = options.observer ?? {};
  }

  add(key: K): void {
    if (this.shutDown) return;
    const id = this.idOf(key);
    const timer = this.delayed.get(id);
    if (timer) {
      this.timers.clearTimeout(timer.handle);
      this.delayed.delete(id);
    }
    this.keys.set(id, key);
    if (this.processing.has(id)) {
      this.dirtyWhileProcessing.add(id);
      return;
    }
    if (this.queued.has(id)) return;
    this.observer.added?.();
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(id);
      this.observer.waited?.(0);
      waiter(key);
    } else {
      this.queued.add(id);
      this.addedAt.set(id, this.now());
      this.ready.push(id);
    }
  }

  /** Adds the key after `ms`; an earlier pending time for the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shutDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const id = this.idOf(key);
    if (this.queued.has(id)) return;
    const at = this.now() + ms;
    const existing = this.delayed.get(id);
    if (existing && existing.at <= at) return;
    if (existing) this.timers.clearTimeout(existing.handle);
    this.keys.set(id, key);
    const handle = this.timers.setTimeout(() => {
      this.delayed.delete(id);
      this.add(key);
    }, ms);
    this.delayed.set(id, { handle, at });
  }

  /** Schedules a retry after the rate limiter's delay for this key; returns the delay. */
  retry(key: K): number {
    const delay = this.limiter.when(this.idOf(key), this.now());
    this.observer.retried?.();
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its backoff starts over. */
  forget(key: K): void {
    this.limiter.forget(this.idOf(key));
  }

  /** The next key to process; resolves to undefined once the queue is shut down. */
  next(): Promise<K | undefined> {
    if (this.shutDown) return Promise.resolve(undefined);
    const id = this.ready.shift();
    if (id !== undefined) {
      this.queued.delete(id);
      this.processing.add(id);
      const at = this.addedAt.get(id);
      this.addedAt.delete(id);
      if (at !== undefined) this.observer.waited?.(this.now() - at);
      return Promise.resolve(this.keys.get(id)!);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: K): void {
    const id = this.idOf(key);
    this.processing.delete(id);
    if (this.dirtyWhileProcessing.delete(id)) this.add(this.keys.get(id) ?? key);
    else if (!this.queued.has(id) && !this.delayed.has(id)) this.keys.delete(id);
    if (this.idle) this.signalIdle();
  }

  /**
   * Resolves the next time the queue turns idle: a key done with nothing else waiting or in
   * progress (or the queue shut down). Not at once when it is idle already: a caller waiting for
   * something the work changes (the manager's shutdown flush) checks, then waits for the next turn.
   */
  nextIdle(): Promise<void> {
    if (this.shutDown) return Promise.resolve();
    if (!this.idleSignal) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      this.idleSignal = { promise, resolve };
    }
    return this.idleSignal.promise;
  }

  shutdown(): void {
    this.shutDown = true;
    for (const { handle } of this.delayed.values()) this.timers.clearTimeout(handle);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    this.signalIdle();
  }

  private signalIdle(): void {
    const signal = this.idleSignal;
    this.idleSignal = undefined;
    signal?.resolve();
  }

  /** Keys waiting to be handed out (not counting delayed ones). */
  get depth(): number {
    return this.ready.length;
  }

  get delayedCount(): number {
    return this.delayed.size;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  /** Nothing waiting now and nothing being processed (delayed keys may still come). */
  get idle(): boolean {
    return this.ready.length === 0 && this.processing.size === 0;
  }
}
