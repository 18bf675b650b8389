import type { WorkloadIdentity } from './types.js';

/** One pod's hold on one IP, from start to end (open while the pod runs). */
export interface Tenure {
  readonly podKey: string;
  readonly identity: WorkloadIdentity | undefined;
  readonly hostNetwork: boolean;
  readonly start: number;
  end: number | undefined;
}

export type HolderLookup =
  | { readonly kind: 'pod'; readonly tenure: Tenure }
  | { readonly kind: 'host-network' }
  | { readonly kind: 'ambiguous' }
  | { readonly kind: 'not-at-time' }
  | { readonly kind: 'unknown' };

export const defaultPodEndSlackMs = 3000;
/** ~200 bytes each: about 20 MB at the bound, ten minutes of 160 pods ending every second. */
export const defaultMaxEndedTenures = 100_000;

/**
 * Which pod held an IP at a given time. Pod IPs are reused after a pod ends, so a record is
 * pinned on a pod only when exactly one tenure overlaps the time it was seen; pods that ended are
 * kept for `retentionMs` so late observations still find them. hostNetwork pods share their
 * node's IP with every other hostNetwork pod there, so their tenures never name a pod.
 */
export class IpHistory {
  private readonly byIp = new Map<string, Tenure[]>();
  /** The IPs each pod holds now (open tenures), so updates need not scan every IP. */
  private readonly openIps = new Map<string, Set<string>>();

  /**
   * @param endSlackMs how long after a pod ended traffic is still its own. A capture stamps a
   *   packet when it hands it over (libpcap batches up to a second; a socket scan runs every
   *   second), and node clocks differ from the API server's, so the last packets of a short-lived
   *   pod are often stamped after its end. The slack ends where the next pod on the IP starts.
   */
  constructor(
    private readonly retentionMs: number,
    private readonly endSlackMs = defaultPodEndSlackMs,
    /** Ended tenures kept at most (on top of the age): a burst of short-lived pods cannot grow it past this. */
    private readonly maxEndedTenures = defaultMaxEndedTenures,
    private readonly onEvict?: (tenures: number) => void,
  ) {}

  /** Records (or updates) the pod's current IPs; IPs it no longer has are ended at `now`. */
  set(podKey: string, ips: readonly string[], info: { identity: WorkloadIdentity | undefined; hostNetwork: boolean; start: number; end: number | undefined }, now: number): void {
    const wanted = new Set(ips);
    for (const ip of this.ipsOf(podKey)) {
      if (!wanted.has(ip)) this.endTenure(podKey, ip, now);
    }
    for (const ip of wanted) {
      let list = this.byIp.get(ip);
      if (!list) {
        list = [];
        this.byIp.set(ip, list);
      }
      const index = list.findIndex((t) => t.podKey === podKey && (t.end === undefined || t.end === info.end));
      const tenure: Tenure = { podKey, identity: info.identity, hostNetwork: info.hostNetwork, start: info.start, end: info.end };
      if (index >= 0) list[index] = tenure;
      else list.push(tenure);
      if (info.end === undefined) {
        let open = this.openIps.get(podKey);
        if (!open) {
          open = new Set();
          this.openIps.set(podKey, open);
        }
        open.add(ip);
      } else {
        this.openIps.get(podKey)?.delete(ip);
      }
    }
  }

  /** The pod is gone: its open tenures end at `at`. */
  end(podKey: string, at: number): void {
    for (const ip of this.ipsOf(podKey)) this.endTenure(podKey, ip, at);
  }

  /** Who held `ip` during [from, to]. */
  holder(ip: string, from: number, to: number): HolderLookup {
    const list = this.byIp.get(ip);
    if (!list || list.length === 0) return { kind: 'unknown' };
    let match: Tenure | undefined;
    let matches = 0;
    let hostNetwork = false;
    for (const tenure of list) {
      if (tenure.start > to || (tenure.end !== undefined && this.lastMoment(tenure, list) < from)) continue;
      if (tenure.hostNetwork) {
        hostNetwork = true;
        continue;
      }
      matches++;
      match = tenure;
    }
    if (matches === 1 && match) return { kind: 'pod', tenure: match };
    if (matches > 1) return { kind: 'ambiguous' };
    if (hostNetwork || list.every((t) => t.hostNetwork)) return { kind: 'host-network' };
    return { kind: 'not-at-time' };
  }

  /**
   * The last moment traffic from the IP may still be this ended tenure's: its end plus the slack,
   * but never past the start of the next pod to hold the IP, which owns it from then on.
   */
  private lastMoment(tenure: Tenure, list: readonly Tenure[]): number {
    const end = tenure.end!;
    let last = end + this.endSlackMs;
    for (const other of list) {
      if (other !== tenure && other.start >= end && other.start < last) last = other.start;
    }
    return last;
  }

  /** Forgets tenures that ended before `now - retention`, then the oldest ended beyond the bound. */
  prune(now: number): void {
    const limit = now - this.retentionMs;
    const ended: number[] = [];
    for (const [ip, list] of this.byIp) {
      const kept = list.filter((t) => t.end === undefined || t.end >= limit);
      if (kept.length === 0) this.byIp.delete(ip);
      else if (kept.length !== list.length) this.byIp.set(ip, kept);
      for (const t of kept) if (t.end !== undefined) ended.push(t.end);
    }
    if (ended.length <= this.maxEndedTenures) return;
    const cutoff = ended.sort((a, b) => a - b)[ended.length - this.maxEndedTenures - 1]!;
    let evicted = 0;
    for (const [ip, list] of this.byIp) {
      const kept = list.filter((t) => t.end === undefined || t.end > cutoff);
      evicted += list.length - kept.length;
      if (kept.length === 0) this.byIp.delete(ip);
      else if (kept.length !== list.length) this.byIp.set(ip, kept);
    }
    this.onEvict?.(evicted);
  }

  get size(): number {
    return this.byIp.size;
  }

  private ipsOf(podKey: string): string[] {
    return [...(this.openIps.get(podKey) ?? [])];
  }

  private endTenure(podKey: string, ip: string, at: number): void {
    for (const tenure of this.byIp.get(ip) ?? []) {
      if (tenure.podKey === podKey && tenure.end === undefined) tenure.end = at;
    }
    const open = this.openIps.get(podKey);
    open?.delete(ip);
    if (open?.size === 0) this.openIps.delete(podKey);
  }
}
