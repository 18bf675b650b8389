import { BoundedMap } from '../../shared/core/bounded-map.js';
import type { ObservationWindow } from './observation-window.js';

export interface RereportOptions {
  /** A record already reported is sent again at most this often; 0 sends every window. */
  readonly intervalMs: number;
  /** Bound of the records remembered; beyond it the oldest are forgotten (and so sent again). */
  readonly maxRecords: number;
  /** Records forgotten for the bound before their interval was over. */
  readonly onEvict?: (records: number) => void;
  /**
   * The first gap before a new record is sent again; each later gap doubles, up to `intervalMs`.
   * Defaults to `firstRereportGapMs`.
   */
  readonly firstGapMs?: number;
}

/**
 * A record first seen is sent again after 10 s, 20 s, 40 s ... until the gap reaches the interval.
 * A first report the operator could not resolve (a pod it did not know yet, an operator still
 * starting) is thus retried within seconds, not minutes; a record seen for long costs a handful of
 * extra reports once, then one per interval.
 */
export const firstRereportGapMs = 10_000;

interface Reported {
  readonly at: number;
  readonly gapMs: number;
}

/**
 * What this sniffer reported recently, so that a connection held open or a name looked up every
 * second is written once per interval instead of once per window. A record is remembered with
 * what it carried (its sources, its answer IPs), so anything new about it is sent at once; its
 * first/last seen and count only move on the next report, which the operator's evidence (written
 * at most every EVIDENCE_INTERVAL_SECONDS) does not need sooner.
 */
export class RereportFilter {
  /** Record fingerprint -> when it was last reported and the gap until it is due again; order is report order; at most maxRecords. */
  private readonly reported: BoundedMap<string, Reported>;

  constructor(private readonly options: RereportOptions) {
    this.reported = new BoundedMap(Math.max(1, options.maxRecords), { onEvict: (evicted) => options.onEvict?.(evicted.length) });
  }

  get size(): number {
    return this.reported.size;
  }

  /** Removes from `window` what is not due again yet; remembers the rest as reported at `nowMs`. */
  filter(window: ObservationWindow, nowMs: number): void {
    if (this.options.intervalMs <= 0) {
      this.reported.clear();
      return;
    }
    // A record still seen is refreshed when it is due (within one interval); one not reported for
    // two intervals is gone, and forgetting it sooner would restart its ramp of short gaps.
    this.forgetBefore(nowMs - 2 * this.options.intervalMs);
    for (const [key, entry] of window.dns) {
      if (this.notDue(`d ${key} ${[...entry.ips].sort().join(',')}`, nowMs)) window.dropDns(key);
    }
    for (const [key, entry] of window.connections) {
      if (this.notDue(`c ${key} ${[...entry.sources].sort().join(',')}`, nowMs)) window.dropConnection(key);
    }
    for (const [key, entry] of window.http) {
      if (this.notDue(`h ${key} ${[...entry.methods].sort().join(',')}`, nowMs)) window.dropHttp(key);
    }
  }

  /** Whether the record was reported less than its gap ago; if not, it is remembered as reported now, with the next gap. */
  private notDue(fingerprint: string, nowMs: number): boolean {
    const last = this.reported.get(fingerprint);
    if (last && nowMs - last.at < last.gapMs) return true;
    const first = Math.min(this.options.firstGapMs ?? firstRereportGapMs, this.options.intervalMs);
    const gapMs = last ? Math.min(last.gapMs * 2, this.options.intervalMs) : first;
    // Moved to the end: the map stays in report order, oldest first.
    this.reported.set(fingerprint, { at: nowMs, gapMs });
    return false;
  }

  /** Reports are remembered in time order, so the expired ones are at the front. */
  private forgetBefore(limit: number): void {
    this.reported.dropOldestWhile(({ at }) => at <= limit);
  }
}
