import type { Clock, TimerHandle } from '../../shared/core/clock.js';
import { encodeDriftReport, type DriftEntry } from '../core/drift-report.js';
import { defaultStoreBounds } from '../core/intents-store.js';
import type { Logger } from '../../shared/logger.js';
import { errorFields } from '../../shared/error-fields.js';
import type { KubeWrites } from './kube-writes.js';

/** Changes are gathered for this long and written together. */
const flushAfterMs = 1000;

/**
 * The drift ConfigMap (core/drift-report.ts): per client whose ClientIntents is not ours, its
 * drift as last planned; written, a second after a change, only when its content changed. At most
 * as many clients as the store holds (the oldest set goes first), and the ConfigMap's byte bound.
 * A new leader starts empty: its first write replaces the old one's, and clients come back as
 * their traffic is reported again.
 */
export class DriftReportWriter {
  private readonly entries = new Map<string, DriftEntry>();
  private timer: TimerHandle | undefined;
  private written: string | undefined;

  constructor(
    private readonly writes: KubeWrites,
    private readonly namespace: string,
    private readonly name: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly maxClients = defaultStoreBounds.maxClients,
  ) {}

  set(clientKey: string, entry: DriftEntry | undefined): void {
    const before = this.entries.get(clientKey);
    if (entry === undefined && before === undefined) return;
    if (entry && before && JSON.stringify(entry) === JSON.stringify(before)) return;
    this.entries.delete(clientKey);
    if (entry) this.entries.set(clientKey, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxClients) break;
      this.entries.delete(oldest);
    }
    this.timer ??= this.clock.setTimeout(() => void this.flush(), flushAfterMs);
  }

  async flush(): Promise<void> {
    this.timer = undefined;
    const data = encodeDriftReport(this.entries.values());
    const text = JSON.stringify(data);
    if (text === this.written) return;
    try {
      await this.writes.saveConfigMap(this.namespace, this.name, data);
      this.written = text;
    } catch (error) {
      this.log.warn('drift report not written; retried', { namespace: this.namespace, name: this.name, ...errorFields(error) });
      this.timer ??= this.clock.setTimeout(() => void this.flush(), 5 * flushAfterMs);
    }
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
