import type { ObservationWindow } from './observation-window.js';

export interface RereportOptions {
  /** A record already reported is sent again at most this often; 0 sends every window. */
  readonly intervalMs: number;
  /** Bound of the records remembered; beyond it the oldest are forgotten (and so sent again). */
  readonly maxRecords: number;
  /** Records forgotten for the bound before their interval was over. */
  readonly onEvict?: (records: number) => void;
}

/**
 * What this sniffer reported recently, so that a connection held open or a name looked up every
 * second is written once per interval instead of once per window. A record is remembered with
 * what it carried (its sources, its answer IPs), so anything new about it is sent at once; its
 * first/last seen and count only move on the next report, which the operator's evidence (written
 * at most every EVIDENCE_INTERVAL_SECONDS) does not need sooner.
 */
export class RereportFilter {
  /** Record fingerprint -> when it was reported; insertion order is report order. */
  private readonly reported = new Map<string, number>();

  constructor(private readonly options: RereportOptions) {}

  get size(): number {
    return this.reported.size;
  }

  /** Removes from `window` what was reported within the interval; remembers the rest as reported at `nowMs`. */
  filter(window: ObservationWindow, nowMs: number): void {
    this.forgetBefore(nowMs - this.options.intervalMs);
    if (this.options.intervalMs <= 0) return;
    for (const [key, entry] of window.dns) {
      if (this.seen(`d ${key} ${[...entry.ips].sort().join(',')}`, nowMs)) window.dropDns(key);
    }
    for (const [key, entry] of window.connections) {
      if (this.seen(`c ${key} ${[...entry.sources].sort().join(',')}`, nowMs)) window.dropConnection(key);
    }
    let evicted = 0;
    for (const key of this.reported.keys()) {
      if (this.reported.size <= this.options.maxRecords) break;
      this.reported.delete(key);
      evicted++;
    }
    if (evicted > 0) this.options.onEvict?.(evicted);
  }

  /** Whether the record was reported within the interval; if not, it is remembered as reported now. */
  private seen(fingerprint: string, nowMs: number): boolean {
    if (this.reported.has(fingerprint)) return true;
    this.reported.set(fingerprint, nowMs);
    return false;
  }

  /** Reports are remembered in time order, so the expired ones are at the front. */
  private forgetBefore(limit: number): void {
    for (const [key, at] of this.reported) {
      if (at > limit) break;
      this.reported.delete(key);
    }
  }
}
