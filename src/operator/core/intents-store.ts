import { intentsBounds } from '../../crds/bounds.js';
import type { ClientIntentsSpec } from '../../crds/client-intents.js';
import type { Evidence } from './evidence.js';
import { intentsName, objectNameFor } from './names.js';
import { kafkaTopicFits } from './kafka/kafka-bounds.js';
import { copyPorts, recordPort } from './port-evidence.js';
import { compareTargetRefs, fromIntentsTarget, targetKey, toIntentsTargets, type TargetRef } from './target-ref.js';
import type { Capture, WorkloadIdentity } from './types.js';

interface TargetState {
  readonly ref: TargetRef;
  readonly ports: Set<number>;
  readonly evidence: Evidence;
}

interface ClientState {
  readonly namespace: string;
  readonly workloadName: string;
  readonly kind: string | undefined;
  objectName: string;
  readonly targets: Map<string, TargetState>;
  /** Per domain: answer IP -> until when it stays in status.resolvedIPs (TTL plus grace). */
  readonly resolvedIPs: Map<string, Map<string, number>>;
  /** The last moment the workload was known to exist (a pod of it in the index, or traffic of it). */
  presentAt: number;
  /** The latest time any of its targets was seen: the oldest-active client is evicted first. */
  activeAt: number;
}

/** A client given up (gone, or beyond the bound) whose ClientIntents the shell is to delete. */
interface Tombstone {
  readonly namespace: string;
  readonly workloadName: string;
  readonly kind: string | undefined;
  readonly objectName: string;
  readonly at: number;
}

/** The store's bounds besides targets per client; docs/operator.md lists them. */
export interface StoreBounds {
  /** Client workloads held; beyond it the least recently active are dropped (their ClientIntents deleted). */
  readonly maxClients: number;
  /** (client, answer IP) pairs remembered to credit connections to a name; oldest refreshed first out. */
  readonly maxDnsMemory: number;
  /** status.resolvedIPs: IPs per domain (most recently answered kept) and domains per client. */
  readonly maxIpsPerDomain: number;
  readonly maxDomainsPerClient: number;
  /** An answer IP stays in status.resolvedIPs for its TTL plus this long after it was last answered. */
  readonly resolvedIpGraceMs: number;
  readonly onEvict?: (map: StoreMap, entries: number) => void;
}

export type StoreMap = 'clients' | 'tombstones' | 'dns-memory' | 'resolved-ips';

export const defaultStoreBounds: StoreBounds = {
  maxClients: 20_000,
  maxDnsMemory: 200_000,
  maxIpsPerDomain: intentsBounds.ipsPerTarget,
  maxDomainsPerClient: intentsBounds.resolvedIPsEntries,
  resolvedIpGraceMs: 3_600_000,
};

/** A deleted client is kept as a tombstone this long at most, for the shell to delete its object. */
const tombstoneMs = 10 * 60_000;

/** What one client workload's ClientIntents should hold. */
export interface DesiredIntents {
  readonly clientKey: string;
  readonly namespace: string;
  readonly objectName: string;
  readonly spec: ClientIntentsSpec;
  readonly evidence: ReadonlyMap<string, Evidence>;
  readonly resolvedIPs: readonly { dns: string; ips: string[] }[];
  /** Bookkeeping annotations besides the evidence (HTTP overflow, core/http-intents.ts). */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface SeedIntents {
  readonly namespace: string;
  readonly objectName: string;
  readonly spec: ClientIntentsSpec;
  readonly evidence: ReadonlyMap<string, Evidence>;
  readonly resolvedIPs?: readonly { dns: string; ips: readonly string[] }[];
}

/**
 * A client's identity: namespace, workload name (as ClientIntents write it) and kind, since the
 * Intents Operator allows one ClientIntents per name *and* kind. An opaque id, never parsed:
 * names may hold any character the webhook allows, `/` included.
 */
export function clientKeyOf(namespace: string, workloadName: string, kind?: string): string {
  return JSON.stringify([namespace, intentsName(workloadName), kind ?? null]);
}

/**
 * Per-client-workload target sets with evidence: the operator's memory of what it has seen.
 * Rebuilt after a restart from the ClientIntents it manages (seed), so that unchanged traffic
 * produces the same desired objects and no writes.
 */
export class IntentsStore {
  private readonly clients = new Map<string, ClientState>();
  /** Insertion order is burial order; at most maxClients, each at most tombstoneMs. */
  private readonly tombstones = new Map<string, Tombstone>();
  /** Insertion order is refresh order, so the first entry is the least recently refreshed. */
  private readonly dnsMemory = new Map<string, { domain: string; until: number }>();
  private readonly bounds: StoreBounds;

  constructor(
    private readonly maxTargetsPerClient: number,
    bounds: Partial<StoreBounds> = {},
  ) {
    this.bounds = { ...defaultStoreBounds, ...bounds };
  }

  /** Adds or refreshes a target; returns false when the client already has too many targets. */
  record(client: WorkloadIdentity, ref: TargetRef, capture: Capture, firstSeen: number, lastSeen: number, port?: number): boolean {
    const state = this.clientState(client, lastSeen);
    if (lastSeen > state.activeAt) state.activeAt = lastSeen;
    const key = targetKey(ref);
    let target = state.targets.get(key);
    if (!target) {
      if (state.targets.size >= this.maxTargetsPerClient) return false;
      if (ref.type === 'kafka' && !kafkaTopicFits(ref, state.targets.values())) return false;
      target = { ref, ports: new Set(), evidence: { firstSeen, lastSeen, captures: new Set() } };
      state.targets.set(key, target);
    }
    if (port !== undefined && ref.type === 'internet') target.ports.add(port);
    if (port !== undefined) recordPort((target.evidence.ports ??= new Map()), port, firstSeen, lastSeen);
    target.evidence.captures.add(capture);
    if (firstSeen < target.evidence.firstSeen) target.evidence.firstSeen = firstSeen;
    if (lastSeen > target.evidence.lastSeen) target.evidence.lastSeen = lastSeen;
    return true;
  }

  /**
   * Remembers a DNS answer so that a later connection to the IP is credited to the name (until
   * `until`), and its IPs for status.resolvedIPs (for `ttlMs` plus the grace period after
   * `seenAt`; without them, until `until`).
   */
  rememberDns(client: WorkloadIdentity, domain: string, ips: readonly string[], until: number, answer?: { seenAt: number; ttlMs: number }): void {
    const state = this.clientState(client, answer?.seenAt ?? until);
    let known = state.resolvedIPs.get(domain);
    if (known) state.resolvedIPs.delete(domain);
    state.resolvedIPs.set(domain, (known ??= new Map()));
    const shownUntil = answer ? answer.seenAt + answer.ttlMs + this.bounds.resolvedIpGraceMs : until;
    for (const ip of ips) {
      known.delete(ip);
      known.set(ip, shownUntil);
    }
    this.evictOldest(known, this.bounds.maxIpsPerDomain, 'resolved-ips');
    this.evictOldest(state.resolvedIPs, this.bounds.maxDomainsPerClient, 'resolved-ips');
    const prefix = clientKeyOf(client.namespace, client.name, client.kind);
    for (const ip of ips) {
      const key = `${prefix}|${ip}`;
      const remembered = this.dnsMemory.get(key);
      if (remembered && remembered.until > until) continue;
      this.dnsMemory.delete(key);
      this.dnsMemory.set(key, { domain, until });
    }
    this.evictOldest(this.dnsMemory, this.bounds.maxDnsMemory, 'dns-memory');
  }

  domainFor(client: WorkloadIdentity, ip: string, at: number): string | undefined {
    const known = this.dnsMemory.get(`${clientKeyOf(client.namespace, client.name, client.kind)}|${ip}`);
    return known && known.until >= at ? known.domain : undefined;
  }

  /**
   * Takes over from `previous` (this replica's store before it last lost the lead) what the
   * freshly seeded store lacks: targets resolved from observations already marked Processed but
   * not yet written when leadership was lost, and the DNS answers remembered. Only adds: a target
   * that is written (and so seeded) keeps its written evidence. The bounds hold afterwards too
   * (two full stores merged would be twice the bound): the least recently active clients are
   * given up and the oldest DNS memory goes, as on any insert.
   */
  adoptMissing(previous: IntentsStore, now: number): string[] {
    const changed: string[] = [];
    for (const [key, old] of previous.clients) {
      const state = this.clients.get(key);
      if (!state) {
        this.clients.set(key, old);
        changed.push(key);
        continue;
      }
      let added = false;
      for (const [tkey, target] of old.targets) {
        if (state.targets.has(tkey) || state.targets.size >= this.maxTargetsPerClient) continue;
        state.targets.set(tkey, target);
        added = true;
      }
      for (const [dns, ips] of old.resolvedIPs) if (!state.resolvedIPs.has(dns)) state.resolvedIPs.set(dns, ips);
      this.evictOldest(state.resolvedIPs, this.bounds.maxDomainsPerClient, 'resolved-ips');
      if (added) changed.push(key);
    }
    // The previous store's answers are older than the fresh store's: they go first (insertion order is refresh order).
    const merged = [...[...previous.dnsMemory].filter(([key]) => !this.dnsMemory.has(key)), ...this.dnsMemory];
    this.dnsMemory.clear();
    for (const [key, value] of merged) this.dnsMemory.set(key, value);
    this.evictOldest(this.dnsMemory, this.bounds.maxDnsMemory, 'dns-memory');
    this.evictClients(now);
    return changed;
  }

  /** Restores a client from a ClientIntents we wrote earlier. */
  seed(seed: SeedIntents, now: number): string {
    const workloadName = seed.spec.workload.name;
    const key = clientKeyOf(seed.namespace, workloadName, seed.spec.workload.kind);
    const state: ClientState = {
      namespace: seed.namespace,
      workloadName,
      kind: seed.spec.workload.kind,
      objectName: seed.objectName,
      targets: new Map(),
      resolvedIPs: new Map(),
      presentAt: now,
      activeAt: now,
    };
    // Evidence left out of a capped annotation was older than every entry kept (capEvidence):
    // just before the oldest kept keeps it out of the next write, and keeps it from expiring early.
    const oldestKept = Math.min(...[...seed.evidence.values()].map((e) => e.lastSeen));
    const unknownAt = Number.isFinite(oldestKept) ? Math.min(now, oldestKept - 1000) : now;
    for (const target of seed.spec.targets) {
      for (const { ref, ports } of fromIntentsTarget(target)) {
        const tkey = targetKey(ref);
        const known = seed.evidence.get(tkey);
        const evidence: Evidence = known
          ? { firstSeen: known.firstSeen, lastSeen: known.lastSeen, captures: new Set(known.captures), ports: copyPorts(known.ports) }
          : { firstSeen: unknownAt, lastSeen: unknownAt, captures: new Set() };
        state.targets.set(tkey, { ref, ports: new Set(ports), evidence });
        state.activeAt = Math.max(unknownAt, ...[...state.targets.values()].map((t) => t.evidence.lastSeen));
      }
    }
    // The TTLs are not written down: IPs read back stay for the grace period unless answered again.
    for (const entry of seed.resolvedIPs ?? []) state.resolvedIPs.set(entry.dns, new Map(entry.ips.map((ip) => [ip, now + this.bounds.resolvedIpGraceMs])));
    this.clients.set(key, state);
    this.evictClients(now);
    return key;
  }

  has(clientKey: string): boolean {
    return this.clients.has(clientKey) || this.tombstones.has(clientKey);
  }

  clientKeys(): string[] {
    return [...this.clients.keys()];
  }

  /**
   * Ages everything held: targets not seen since `now - maxAgeMs` (0: targets never expire),
   * answer IPs past their TTL plus grace, DNS memory past its time, tombstones the shell did not
   * act on. Returns the clients whose ClientIntents (or its status) changed.
   */
  expire(now: number, maxAgeMs: number): string[] {
    const changed = new Set<string>();
    for (const [key, tombstone] of this.tombstones) {
      if (now - tombstone.at <= tombstoneMs) break;
      this.tombstones.delete(key);
    }
    for (const [key, state] of this.clients) {
      for (const [tkey, target] of state.targets) {
        if (maxAgeMs > 0 && target.evidence.lastSeen < now - maxAgeMs) {
          state.targets.delete(tkey);
          if (target.ref.type === 'internet') state.resolvedIPs.delete(target.ref.domain);
          changed.add(key);
        }
      }
      for (const [domain, ips] of state.resolvedIPs) {
        for (const [ip, until] of ips) {
          if (until >= now) continue;
          ips.delete(ip);
          changed.add(key);
        }
        if (ips.size === 0) state.resolvedIPs.delete(domain);
      }
    }
    for (const [key, memory] of this.dnsMemory) if (memory.until < now) this.dnsMemory.delete(key);
    return [...changed];
  }

  /**
   * Workloads gone longer than `goneMs` (no pod of theirs in `present`, the index's workloads)
   * lose their ClientIntents: desired() has no targets, so the plan deletes it. A workload with
   * a new name per run (a bare CI pod, an Argo Workflow) so leaves nothing behind.
   */
  expireGone(now: number, goneMs: number, present: Iterable<WorkloadIdentity>): string[] {
    // Keyed like the clients, kind included: a Deployment's pods do not keep a CronJob of the same name.
    const presentKeys = new Set<string>();
    for (const identity of present) presentKeys.add(clientKeyOf(identity.namespace, identity.name, identity.kind));
    const changed: string[] = [];
    for (const [key, state] of this.clients) {
      if (presentKeys.has(key)) state.presentAt = now;
      else if (goneMs > 0 && now - state.presentAt >= goneMs) {
        this.bury(key, state, now);
        changed.push(key);
      }
    }
    return changed;
  }

  /** Removes one target of a client; true when it had it. */
  drop(client: WorkloadIdentity, ref: TargetRef): boolean {
    return this.clients.get(clientKeyOf(client.namespace, client.name, client.kind))?.targets.delete(targetKey(ref)) ?? false;
  }

  /** Clients given up (gone, or beyond the bound) whose ClientIntents is yet to be deleted. */
  buried(): string[] {
    return [...this.tombstones.keys()];
  }

  get size(): { clients: number; tombstones: number; dnsMemory: number } {
    return { clients: this.clients.size, tombstones: this.tombstones.size, dnsMemory: this.dnsMemory.size };
  }

  forget(clientKey: string): void {
    this.clients.delete(clientKey);
    this.tombstones.delete(clientKey);
  }

  /** Removes the client's targets for which `drop` says so; true when any went. */
  dropTargets(clientKey: string, drop: (ref: TargetRef) => boolean): boolean {
    const state = this.clients.get(clientKey);
    let removed = false;
    for (const [tkey, target] of state?.targets ?? []) {
      if (!drop(target.ref)) continue;
      state!.targets.delete(tkey);
      if (target.ref.type === 'internet') state!.resolvedIPs.delete(target.ref.domain);
      removed = true;
    }
    return removed;
  }

  /** The typed request of a key this store gave out: a client's, or a buried one's (its object is to be deleted). */
  requestOf(clientKey: string): { namespace: string; workload: { name: string; kind?: string } } | undefined {
    const state = this.clients.get(clientKey) ?? this.tombstones.get(clientKey);
    if (!state) return undefined;
    return { namespace: state.namespace, workload: state.kind ? { name: state.workloadName, kind: state.kind } : { name: state.workloadName } };
  }

  desired(clientKey: string): DesiredIntents | undefined {
    const state = this.clients.get(clientKey);
    if (!state) {
      const tombstone = this.tombstones.get(clientKey);
      if (!tombstone) return undefined;
      const workload = tombstone.kind ? { name: tombstone.workloadName, kind: tombstone.kind } : { name: tombstone.workloadName };
      return { clientKey, namespace: tombstone.namespace, objectName: tombstone.objectName, spec: { workload, targets: [] }, evidence: new Map(), resolvedIPs: [] };
    }
    const targets = [...state.targets.values()].sort((a, b) => compareTargetRefs(a.ref, b.ref));
    const evidence = new Map<string, Evidence>();
    for (const t of targets) evidence.set(targetKey(t.ref), t.evidence);
    const domains = new Set(targets.flatMap((t) => (t.ref.type === 'internet' ? [t.ref.domain] : [])));
    const resolvedIPs = [...state.resolvedIPs.entries()]
      .filter(([dns, ips]) => domains.has(dns) && ips.size > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, intentsBounds.resolvedIPsEntries)
      .map(([dns, ips]) => ({ dns, ips: [...ips.keys()].sort().slice(0, intentsBounds.ipsPerTarget) }));
    return {
      clientKey,
      namespace: state.namespace,
      objectName: state.objectName,
      spec: {
        workload: state.kind ? { name: state.workloadName, kind: state.kind } : { name: state.workloadName },
        targets: toIntentsTargets(targets.map((t) => ({ ref: t.ref, ports: [...t.ports].sort((a, b) => a - b) }))),
      },
      evidence,
      resolvedIPs,
    };
  }

  private clientState(client: WorkloadIdentity, seenAt = 0): ClientState {
    const key = clientKeyOf(client.namespace, client.name, client.kind);
    let state = this.clients.get(key);
    // Seen again after it was given up: it starts over, and its object is kept (rewritten).
    if (!state) this.tombstones.delete(key);
    if (!state) {
      state = {
        namespace: client.namespace,
        workloadName: intentsName(client.name),
        kind: client.kind,
        objectName: objectNameFor(client),
        targets: new Map(),
        resolvedIPs: new Map(),
        presentAt: seenAt,
        activeAt: seenAt,
      };
      this.clients.set(key, state);
      this.evictClients(seenAt);
    }
    if (seenAt > state.presentAt) state.presentAt = seenAt;
    return state;
  }

  /**
   * Beyond maxClients, the least recently active tenth is given up at once (one sort per many
   * inserts rather than a scan per insert); their ClientIntents are deleted like a gone workload's.
   */
  private evictClients(now: number): void {
    if (this.clients.size <= this.bounds.maxClients) return;
    const byActivity = [...this.clients].sort(([, a], [, b]) => a.activeAt - b.activeAt);
    const keep = Math.floor(this.bounds.maxClients * 0.9);
    const evicted = byActivity.slice(0, byActivity.length - keep);
    for (const [key, state] of evicted) this.bury(key, state, now);
    this.bounds.onEvict?.('clients', evicted.length);
  }

  private bury(key: string, state: ClientState, now: number): void {
    this.clients.delete(key);
    this.tombstones.delete(key);
    this.tombstones.set(key, { namespace: state.namespace, workloadName: state.workloadName, kind: state.kind, objectName: state.objectName, at: now });
    this.evictOldest(this.tombstones, this.bounds.maxClients, 'tombstones');
  }

  /** Map insertion order is refresh order here: the first entries are the least recently refreshed. */
  private evictOldest(map: Map<string, unknown>, max: number, name: StoreMap): void {
    let evicted = 0;
    for (const key of map.keys()) {
      if (map.size <= max) break;
      map.delete(key);
      evicted++;
    }
    if (evicted > 0) this.bounds.onEvict?.(name, evicted);
  }
}
