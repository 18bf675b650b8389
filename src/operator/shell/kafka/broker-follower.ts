import type { KubeConfig } from '@kubernetes/client-node';
import { AccessWindow } from '../../core/kafka/access-window.js';
import type { BrokerPod } from '../../core/kafka/broker-discovery.js';
import { BrokerLogReader } from '../../core/kafka/broker-log-reader.js';
import { planResume, type ContainerRef, type CursorState, type GapReason, type LogCursor } from '../../core/kafka/log-cursor.js';
import { errorFields, type Logger } from '../../../shared/logger.js';
import { PodLogClient, type PodLogRequest } from './pod-log.js';

/** A broker pod with what its log is read by: the container and its restart count. */
export interface BrokerTarget extends BrokerPod {
  readonly source: ContainerRef;
}

export interface FollowerOptions {
  /** Groups of (host, topic, operation) held between two flushes. */
  readonly maxGroupsPerWindow: number;
  /** Longest line kept; longer ones are dropped and counted (`line-too-long`). */
  readonly maxLineLength: number;
  /** A follow is ended and resumed this often, so a connection that died silently is noticed. */
  readonly maxStreamMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const defaultFollowerOptions: FollowerOptions = {
  maxGroupsPerWindow: 10_000,
  maxLineLength: 64 * 1024,
  maxStreamMs: 10 * 60_000,
  minBackoffMs: 1000,
  maxBackoffMs: 30_000,
};

/**
 * Follows one broker container's log through pods/log and gathers its topic accesses into a
 * window the watcher flushes. One stream per broker; a lost stream is resumed at the cursor
 * (`sinceTime`, lines already read skipped) with exponential backoff.
 */
export class BrokerFollower {
  readonly window: AccessWindow;
  /** Lines of finished requests skipped because they were read before a resume. */
  private readAgain = 0;
  private lastAt: number | undefined;
  private reader: BrokerLogReader | undefined;
  readonly gaps: GapReason[] = [];
  private cursor: LogCursor | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private readonly client: PodLogClient;

  constructor(
    readonly target: BrokerTarget,
    private readonly kc: KubeConfig,
    private readonly saved: CursorState | undefined,
    private readonly logger: Logger,
    private readonly options: FollowerOptions = defaultFollowerOptions,
  ) {
    this.window = new AccessWindow(options.maxGroupsPerWindow);
    this.client = new PodLogClient(kc);
  }

  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      this.logger.error('kafka follower stopped', { namespace: this.target.namespace, name: this.target.name, ...errorFields(error) });
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.client.close();
  }

  /** Lines skipped because they were read before a resume. */
  get alreadyRead(): number {
    return this.readAgain + (this.reader?.alreadyRead ?? 0);
  }

  /** The kubelet time of the last new line, in ms. */
  get lastLineAt(): number | undefined {
    return this.reader?.lastLineAt ?? this.lastAt;
  }

  /** Where it is, for saving; undefined before the first read. */
  state(): CursorState | undefined {
    return this.cursor?.state();
  }

  private async run(): Promise<void> {
    const plan = planResume(this.saved, this.target.source);
    let backoff = this.options.minBackoffMs;
    if (plan.kind === 'from-start' && plan.gap) {
      this.gaps.push(plan.gap);
      this.logger.warn('kafka broker log not read in full', { namespace: this.target.namespace, name: this.target.name, gap: plan.gap });
    }
    if (plan.kind === 'previous-then-current') {
      // The rest of the container that restarted: its log ends, so no follow; retried while the kubelet keeps it.
      this.cursor = plan.previous;
      while (!this.abort.signal.aborted && !(await this.readOnce({ follow: false, previous: true }))) await this.sleep((backoff = Math.min(backoff * 2, this.options.maxBackoffMs)));
      this.cursor = plan.current;
    } else {
      this.cursor = plan.cursor;
    }
    while (!this.abort.signal.aborted) {
      const ended = await this.readOnce({ follow: true });
      if (this.abort.signal.aborted) break;
      if (ended) backoff = this.options.minBackoffMs;
      await this.sleep(backoff);
      if (!ended) backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
    }
  }

  /** One request from the cursor; true when it ended normally (or ran its time), false on an error. */
  private async readOnce(mode: Pick<PodLogRequest, 'follow' | 'previous'>): Promise<boolean> {
    const cursor = this.cursor!;
    const reader = new BrokerLogReader(cursor, this.window, this.options.maxLineLength);
    this.reader = reader;
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.maxStreamMs)]);
    const since = cursor.sinceTime();
    const request: PodLogRequest = { namespace: this.target.namespace, pod: this.target.name, container: this.target.source.container, ...mode, ...(since ? { sinceTime: since } : {}) };
    try {
      for await (const chunk of this.client.chunks(request, signal)) reader.push(chunk);
      return true;
    } catch (error) {
      if (signal.aborted) return true;
      this.logger.warn('kafka broker log stream failed; resuming', { namespace: this.target.namespace, name: this.target.name, ...errorFields(error) });
      return false;
    } finally {
      reader.end();
      this.readAgain += reader.alreadyRead;
      this.lastAt = reader.lastLineAt ?? this.lastAt;
      this.reader = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
