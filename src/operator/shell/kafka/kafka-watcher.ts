import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterIndex } from '../../core/cluster-index.js';
import type { IntentsStore } from '../../core/intents-store.js';
import type { WindowReason } from '../../core/kafka/access-window.js';
import type { GapReason, CursorState } from '../../core/kafka/log-cursor.js';
import { resolveKafkaAccess } from '../../core/kafka/kafka-resolver.js';
import type { UnresolvedReason } from '../../core/types.js';
import { errorFields, type Logger } from '../../../shared/logger.js';
import { BrokerFollower, defaultFollowerOptions, type BrokerTarget, type FollowerOptions } from './broker-follower.js';
import type { WatcherStatus } from '../../core/kafka/watcher-status.js';
import type { CursorStore } from './cursor-store.js';
import type { KafkaMetrics } from './kafka-metrics.js';

export interface KafkaWatcherOptions {
  /** Brokers followed at most (one stream each); more are left out and logged. */
  readonly maxBrokers: number;
  readonly flushIntervalMs: number;
  /** How often cursors are saved, and how far behind the reading they are saved (see saveCursors). */
  readonly saveIntervalMs: number;
  readonly saveLagMs: number;
  readonly follower: FollowerOptions;
}

export const defaultKafkaWatcherOptions: KafkaWatcherOptions = {
  maxBrokers: 32,
  flushIntervalMs: 1000,
  saveIntervalMs: 30_000,
  saveLagMs: 30_000,
  follower: defaultFollowerOptions,
};

/** What `status` shows of the watcher. */
export type KafkaWatcherStatus = Omit<WatcherStatus, 'at'>;

/**
 * The Kafka watcher, run by the leader only (it writes into the leader's store): one follower per
 * broker pod, their windows flushed into the store every second (clients whose targets changed
 * are handed to `onChanged`, which enqueues their ClientIntents), cursors saved so that the next
 * leader resumes. Bounded: at most `maxBrokers` streams, `maxGroupsPerWindow` groups per broker
 * between flushes, lines of `maxLineLength`, and the topics a target may hold (the store's).
 */
export class KafkaWatcher {
  private readonly followers = new Map<string, BrokerFollower>();
  /** Cursors of brokers not followed now (gone, or before the first sync), from the store or from followers stopped. */
  private cursors = new Map<string, CursorState>();
  private readonly snapshots: { at: number; cursors: Map<string, CursorState> }[] = [];
  private readonly totals = { ignored: new Map<WindowReason, number>(), unresolved: new Map<UnresolvedReason, number>(), gaps: new Map<GapReason, number>(), access: 0 };
  private brokersLeftOut = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastSave = 0;
  private saving: Promise<void> = Promise.resolve();
  /** The cursors last saved (or loaded): what a new leader would resume from. */
  private saved = new Map<string, CursorState>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly index: ClusterIndex,
    private readonly store: () => IntentsStore,
    private readonly cursorStore: CursorStore,
    private readonly onChanged: (clientKeys: ReadonlySet<string>) => void,
    private readonly metrics: KafkaMetrics,
    private readonly logger: Logger,
    options?: KafkaWatcherOptions,
    /** Whether the store may take accesses now (leading and seeded); until then windows wait (bounded). */
    private readonly active: () => boolean = () => true,
  ) {
    this.options = options ?? defaultKafkaWatcherOptions;
  }

  private readonly options: KafkaWatcherOptions;

  /** On becoming leader: the saved cursors, then a flush every second. */
  async start(): Promise<void> {
    this.cursors = await this.cursorStore.load().catch((error: unknown) => {
      this.logger.warn('kafka cursors not read; brokers are read from the start of their logs', errorFields(error));
      return new Map<string, CursorState>();
    });
    this.saved = new Map(this.cursors);
    this.timer = setInterval(() => this.flush(Date.now()), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** The broker pods to follow now (from selectBrokerPods and their containers); the rest stop. */
  sync(brokers: readonly BrokerTarget[]): void {
    const wanted = new Map(brokers.slice(0, this.options.maxBrokers).map((b) => [brokerKey(b), b]));
    if (brokers.length > this.options.maxBrokers && this.brokersLeftOut !== brokers.length - this.options.maxBrokers) {
      this.logger.warn('kafka brokers beyond the bound are not followed', { brokers: brokers.length, maxBrokers: this.options.maxBrokers });
    }
    this.brokersLeftOut = Math.max(0, brokers.length - this.options.maxBrokers);
    for (const [key, follower] of this.followers) {
      const next = wanted.get(key);
      if (next && sameContainer(next, follower.target)) continue;
      this.retire(key, follower);
    }
    for (const [key, target] of wanted) {
      if (this.followers.has(key)) continue;
      const follower = new BrokerFollower(target, this.kc, this.cursors.get(key), this.logger, this.options.follower);
      this.followers.set(key, follower);
      follower.start();
    }
    this.metrics.brokers.set(this.followers.size);
  }

  /** Every window into the store; returns the clients changed. */
  flush(now: number): Set<string> {
    const changed = new Set<string>();
    if (!this.active()) return changed;
    for (const follower of this.followers.values()) this.flushOne(follower, changed);
    if (changed.size > 0) this.onChanged(changed);
    if (now - this.lastSave >= this.options.saveIntervalMs) {
      this.lastSave = now;
      void this.saveCursors(now);
    }
    return changed;
  }

  private flushOne(follower: BrokerFollower, changed: Set<string>): void {
    for (const gap of follower.gaps.splice(0)) {
      this.totals.gaps.set(gap, (this.totals.gaps.get(gap) ?? 0) + 1);
      this.metrics.gaps.inc({ reason: gap });
    }
    const contents = follower.window.flush();
    for (const [reason, n] of contents.ignored) {
      this.totals.ignored.set(reason, (this.totals.ignored.get(reason) ?? 0) + n);
      this.metrics.lines.inc({ result: reason }, n);
    }
    if (follower.lastLineAt !== undefined) this.metrics.lastLine.set({ namespace: follower.target.namespace, pod: follower.target.name }, follower.lastLineAt / 1000);
    if (contents.groups.length === 0) return;
    const outcome = resolveKafkaAccess(contents.groups, follower.target.identity, this.index, this.store());
    const accessLines = contents.groups.reduce((sum, g) => sum + g.count, 0);
    this.totals.access += accessLines;
    this.metrics.lines.inc({ result: 'access' }, accessLines);
    for (const [reason, n] of outcome.unresolved) {
      this.totals.unresolved.set(reason, (this.totals.unresolved.get(reason) ?? 0) + n);
      this.metrics.unresolved.inc({ reason }, n);
    }
    for (const key of outcome.changedClients) changed.add(key);
  }

  status(): KafkaWatcherStatus {
    return {
      brokers: [...this.followers.values()].map((f) => ({ namespace: f.target.namespace, name: f.target.name, ...(f.lastLineAt === undefined ? {} : { lastLineAt: f.lastLineAt }) })),
      ignored: Object.fromEntries(this.totals.ignored),
      unresolved: Object.fromEntries(this.totals.unresolved),
      accessLines: this.totals.access,
      gaps: Object.fromEntries(this.totals.gaps),
      brokersLeftOut: this.brokersLeftOut,
    };
  }

  /**
   * On losing the lead or at shutdown: every stream ends. While the store may still take them
   * (a shutdown of the leader), the last windows go in and the cursors are saved as read;
   * otherwise (the lead is lost) the lines not taken in stay unread for the next leader: the
   * cursors saved are the lagging ones.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.followers.values()].map((f) => f.stop()));
    const applied = this.active();
    this.flush(Date.now());
    const lagging = this.snapshots[0]?.cursors;
    for (const [key, follower] of this.followers) this.keepCursor(key, follower.state());
    this.followers.clear();
    this.metrics.brokers.set(0);
    this.snapshots.length = 0;
    const toSave = applied ? this.cursors : (lagging ?? this.saved);
    if (toSave.size > 0 || this.saved.size > 0) await this.save(toSave, { at: Date.now(), ...this.status(), brokers: [] });
  }

  /**
   * Saves the cursors as they were `saveLagMs` ago: lines read since may not be in a written
   * ClientIntents yet, and a new leader reads them again (the store merges them as before:
   * their evidence times are the lines' own) rather than missing them.
   */
  private async saveCursors(now: number): Promise<void> {
    // A cluster without Kafka brokers gets no ConfigMap and no writes.
    if (this.followers.size === 0 && this.cursors.size === 0 && this.saved.size === 0) return;
    const current = new Map(this.cursors);
    for (const [key, follower] of this.followers) {
      const state = follower.state();
      if (state) current.set(key, state);
    }
    this.snapshots.push({ at: now, cursors: current });
    // Until a snapshot is old enough, the cursors saved before (loaded at start) stay.
    let due: Map<string, CursorState> = this.saved;
    while (this.snapshots.length > 0 && this.snapshots[0]!.at <= now - this.options.saveLagMs) due = this.snapshots.shift()!.cursors;
    this.saved = due;
    await this.save(due, { at: now, ...this.status() });
  }

  /**
   * Stops a follower whose pod went or whose container changed. Its position is kept at once,
   * so that a follower of the restarted container starts by reading the rest of the previous
   * one; its last window still goes into the store once its stream has ended.
   */
  /** One save at a time, in order: a periodic save still running must not overwrite (or conflict with) the last one. */
  private save(cursors: ReadonlyMap<string, CursorState>, status: WatcherStatus): Promise<void> {
    const copy = new Map(cursors);
    this.saving = this.saving.then(() =>
      this.cursorStore.save(copy, status).catch((error: unknown) => {
        this.logger.warn('kafka cursors not saved', errorFields(error));
      }),
    );
    return this.saving;
  }

  private retire(key: string, follower: BrokerFollower): void {
    this.followers.delete(key);
    this.keepCursor(key, follower.state());
    void follower.stop().then(() => {
      if (!this.active()) return;
      const changed = new Set<string>();
      this.flushOne(follower, changed);
      if (changed.size > 0) this.onChanged(changed);
    });
  }

  /** Positions of brokers not followed now, at most twice maxBrokers (the oldest kept go first). */
  private keepCursor(key: string, state: CursorState | undefined): void {
    if (!state) return;
    this.cursors.delete(key);
    this.cursors.set(key, state);
    for (const oldest of this.cursors.keys()) {
      if (this.cursors.size <= 2 * this.options.maxBrokers) break;
      this.cursors.delete(oldest);
    }
  }
}

function brokerKey(b: { namespace: string; name: string }): string {
  return `${b.namespace}.${b.name}`;
}

function sameContainer(a: BrokerTarget, b: BrokerTarget): boolean {
  return a.source.podUid === b.source.podUid && a.source.container === b.source.container && a.source.restartCount === b.source.restartCount;
}
