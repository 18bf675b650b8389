import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { decodeCursors, encodeCursors } from '../../core/kafka/cursor-codec.js';
import type { CursorState } from '../../core/kafka/log-cursor.js';
import { encodeWatcherStatus, watcherStatusKey, type WatcherStatus } from '../../core/kafka/watcher-status.js';

export interface CursorStore {
  load(): Promise<Map<string, CursorState>>;
  /** The cursors, and the watcher's status for `kubectl netmap status` when given. */
  save(cursors: ReadonlyMap<string, CursorState>, status?: WatcherStatus): Promise<void>;
}

/** Cursors in one ConfigMap of the operator's namespace (needs get, create and update on it). */
export class ConfigMapCursorStore implements CursorStore {
  private resourceVersion: string | undefined;

  constructor(
    private readonly api: CoreV1Api,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  async load(): Promise<Map<string, CursorState>> {
    try {
      const found = await this.api.readNamespacedConfigMap({ namespace: this.namespace, name: this.name });
      this.resourceVersion = found.metadata?.resourceVersion;
      return decodeCursors(found.data);
    } catch (error) {
      if ((error as { code?: number }).code === 404) return new Map();
      throw error;
    }
  }

  /**
   * Replaces the data (optimistically, on the version read last); creates the ConfigMap when
   * missing. After a conflict (another replica wrote it) it reads the version and tries once more:
   * this process leads, so its cursors win.
   */
  async save(cursors: ReadonlyMap<string, CursorState>, status?: WatcherStatus): Promise<void> {
    try {
      await this.saveOnce(cursors, status);
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code !== 409 && code !== 404) throw error;
      await this.saveOnce(cursors, status);
    }
  }

  private async saveOnce(cursors: ReadonlyMap<string, CursorState>, status?: WatcherStatus): Promise<void> {
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.name, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'network-mapper' }, ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}) },
      data: { ...encodeCursors(cursors), ...(status ? { [watcherStatusKey]: encodeWatcherStatus(status) } : {}) },
    };
    try {
      const written = this.resourceVersion
        ? await this.api.replaceNamespacedConfigMap({ namespace: this.namespace, name: this.name, body })
        : await this.api.createNamespacedConfigMap({ namespace: this.namespace, body });
      this.resourceVersion = written.metadata?.resourceVersion;
    } catch (error) {
      // Somebody else wrote it (409) or deleted it (404): the next save starts from what is there now.
      const code = (error as { code?: number }).code;
      if (code === 409 || code === 404) await this.load().then(() => undefined, () => (this.resourceVersion = undefined));
      if (code === 404) this.resourceVersion = undefined;
      throw error;
    }
  }
}

export class MemoryCursorStore implements CursorStore {
  private cursors = new Map<string, CursorState>();

  load(): Promise<Map<string, CursorState>> {
    return Promise.resolve(new Map(this.cursors));
  }

  save(cursors: ReadonlyMap<string, CursorState>): Promise<void> {
    this.cursors = new Map(cursors);
    return Promise.resolve();
  }
}
