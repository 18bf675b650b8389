import { httpStatus } from '../../shared/api-error-code.js';
import { errorFields, type Logger } from '../../shared/logger.js';
import { ControllerRateLimiter, type RateLimiterOptions } from '../core/rate-limiter.js';
import { TerminalError, type Reconciler } from '../core/reconcile.js';
import type { Clock } from '../../shared/core/clock.js';
import { WorkQueue } from '../core/work-queue.js';
import { NotLeaderError } from './kube-writes.js';
import type { OperatorMetrics } from './metrics.js';

export interface ControllerOptions<R> {
  /** Unique; the `controller` label of the queue and reconcile metrics. */
  readonly name: string;
  readonly reconciler: Reconciler<R>;
  readonly idOf: (request: R) => string;
  readonly workers: number;
  readonly log: Logger;
  readonly metrics: OperatorMetrics;
  readonly rateLimiter?: RateLimiterOptions;
  /** Time and timers of the queue (delays, backoff, wait-time metrics). */
  readonly clock: Clock;
}

/**
 * One named work queue and its workers for one reconciler. All queue calls live here: success
 * forgets the key's backoff, `requeueAfterMs` adds it again later, a thrown error retries it
 * through the rate limiter, a TerminalError is logged and counted but not retried, and the key
 * is always marked done.
 */
export class Controller<R> {
  private readonly queue: WorkQueue<R>;
  private readonly labels: { controller: string };
  private workers: Promise<void>[] = [];

  constructor(private readonly options: ControllerOptions<R>) {
    this.labels = { controller: options.name };
    const { metrics } = options;
    this.queue = new WorkQueue<R>({
      timers: options.clock,
      now: () => options.clock.now(),
      limiter: new ControllerRateLimiter(options.rateLimiter),
      idOf: options.idOf,
      observer: {
        added: () => metrics.queueAdds.inc(this.labels),
        retried: () => metrics.queueRetries.inc(this.labels),
        waited: (ms) => metrics.queueWaitSeconds.observe(this.labels, ms / 1000),
      },
    });
  }

  get name(): string {
    return this.options.name;
  }

  enqueue(request: R): void {
    this.queue.add(request);
    this.reportDepth();
  }

  /** Nothing waiting now and nothing in progress. */
  get idle(): boolean {
    return this.queue.idle;
  }

  /** Resolves the next time the queue turns idle (see WorkQueue.nextIdle). */
  nextIdle(): Promise<void> {
    return this.queue.nextIdle();
  }

  start(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.options.workers; i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await Promise.all(this.workers);
  }

  private reportDepth(): void {
    this.options.metrics.queueDepth.set(this.labels, this.queue.depth);
  }

  private async work(): Promise<void> {
    for (;;) {
      const request = await this.queue.next();
      this.reportDepth();
      if (request === undefined) return;
      await this.handle(request);
    }
  }

  private async handle(request: R): Promise<void> {
    const { reconciler, metrics, log } = this.options;
    const end = metrics.reconcileSeconds.startTimer(this.labels);
    try {
      const result = await reconciler.reconcile(request);
      this.queue.forget(request);
      if (result.requeueAfterMs !== undefined) this.queue.addAfter(request, result.requeueAfterMs);
    } catch (error) {
      if (error instanceof TerminalError) {
        this.queue.forget(request);
        metrics.reconcileErrors.inc({ ...this.labels, type: 'terminal' });
        log.error('reconcile failed; not retried', { ...this.labels, request, ...errorFields(error) });
      } else {
        const delayMs = this.queue.retry(request);
        metrics.reconcileErrors.inc({ ...this.labels, type: 'retry' });
        if (error instanceof NotLeaderError) log.info('write held back: not the leader', { ...this.labels, request, delayMs });
        else if (httpStatus(error) === 409) log.info('write conflict: the object changed since it was read; will re-read and retry', { ...this.labels, request, delayMs, ...errorFields(error) });
        else log.warn('reconcile failed; will retry', { ...this.labels, request, delayMs, ...errorFields(error) });
      }
    } finally {
      end();
      this.queue.done(request);
      this.reportDepth();
    }
  }
}
