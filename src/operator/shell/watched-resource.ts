import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { errorFields, type Logger } from '../../shared/logger.js';
import { readFieldsFingerprint, unchangedReadFields } from '../core/predicates.js';
import type { OperatorMetrics } from './metrics.js';

export interface WatchedResourceOptions<T extends KubernetesObject> {
  readonly resource: string;
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  /** Called for every add, update and delete that passes the predicate. Must only enqueue. */
  readonly onEvent: (type: 'add' | 'update' | 'delete', obj: T) => void;
  /**
   * The fields the operator reads of an object (plain data). An update that leaves them as they
   * were is not passed on (counted in netmap_informer_events_skipped_total).
   */
  readonly readFields?: (obj: T) => unknown;
  readonly log: Logger;
  readonly metrics: OperatorMetrics;
  readonly backoff?: { baseMs: number; maxMs: number };
  readonly onSynced?: () => void;
  /**
   * Trims an object in place as it enters the cache (the handler receives the cached object),
   * so the cache holds only what the operator reads: thousands of full Pods and large
   * observation specs would otherwise dominate its memory.
   */
  readonly slim?: (obj: T) => void;
}

/**
 * An informer that comes back: client-node's informer stops on an error (API server gone,
 * watch expired, CRD missing), so it is restarted after an exponential backoff. `synced`
 * becomes true after the first complete list.
 */
/**
 * The read-only view of a cache that a reconciler gets (client-go's lister): it reads the
 * current state of a key and can neither start nor stop the informer behind it.
 */
export interface Lister<T> {
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): readonly T[];
}

export class WatchedResource<T extends KubernetesObject> implements Lister<T> {
  readonly informer: Informer<T> & ObjectCache<T>;
  private syncedOnce = false;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly fingerprints = new Map<string, string>();
  private readonly syncWaiters: (() => void)[] = [];

  constructor(kc: KubeConfig, private readonly options: WatchedResourceOptions<T>) {
    this.informer = makeInformer<T>(kc, options.path, options.list);
    const changed = (type: 'add' | 'update') => (obj: T): void => {
      options.slim?.(obj);
      if (options.readFields) {
        const key = keyOf(obj);
        const fingerprint = readFieldsFingerprint(options.readFields(obj));
        const skip = type === 'update' ? unchangedReadFields(this.fingerprints.get(key), fingerprint) : undefined;
        this.fingerprints.set(key, fingerprint);
        if (skip) {
          options.metrics.eventsSkipped.inc({ resource: options.resource, reason: skip });
          return;
        }
      }
      options.onEvent(type, obj);
    };
    this.informer.on('add', changed('add'));
    this.informer.on('update', changed('update'));
    this.informer.on('delete', (obj: T) => {
      this.fingerprints.delete(keyOf(obj));
      options.onEvent('delete', obj);
    });
    this.informer.on('error', (error) => this.restartLater(error));
  }

  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Resolves after the first complete list. */
  whenSynced(): Promise<void> {
    return this.syncedOnce ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get resource(): string {
    return this.options.resource;
  }

  start(): void {
    this.stopped = false;
    this.informer.start().then(
      () => {
        // A failed list does not reject start(): it reports through 'error' and leaves no resourceVersion.
        if ((this.informer as unknown as { latestResourceVersion(): string }).latestResourceVersion()) this.syncedOnce = true;
        if (this.syncedOnce) {
          this.failures = 0;
          this.options.onSynced?.();
          for (const resolve of this.syncWaiters.splice(0)) resolve();
        }
      },
      (error: unknown) => this.restartLater(error),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.informer.stop();
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  private restartLater(error: unknown): void {
    if (this.stopped || this.timer) return;
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 500, maxMs: 30_000 };
    const delay = Math.min(maxMs, baseMs * 2 ** this.failures++);
    this.options.log.warn('informer stopped; restarting', { resource: this.options.resource, delayMs: delay, ...errorFields(error) });
    this.options.metrics.informerRestarts.inc({ resource: this.options.resource });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      void this.informer.stop().finally(() => {
        if (!this.stopped) this.start();
      });
    }, delay);
  }
}

export function keyOf(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}
