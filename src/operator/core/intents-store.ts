import { intentsBounds } from '../../crds/bounds.js';
import type { ClientIntentsSpec } from '../../crds/client-intents.js';
import type { Evidence } from './evidence.js';
import { intentsName, objectNameFor } from './names.js';
import { kafkaTopicFits } from './kafka/kafka-bounds.js';
import { copyPorts, recordPort } from './port-evidence.js';
import { compareTargetRefs, fromIntentsTarget, targetKey, toIntentsTargets, type TargetRef } from './target-ref.js';
import type { Capture, WorkloadIdentity } from './types.js';
import { ClientTargets, type ClientState } from './client-targets.js';
import { DnsMemory } from './dns-memory.js';
import { ResolvedIps } from './resolved-ips.js';

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
 * produces the same desired objects and no writes. Three stores, each bounded where it is defined:
 * the clients with their targets and evidence (client-targets.ts), the DNS memory that credits
 * connections to names (dns-memory.ts), and status.resolvedIPs with their TTLs (resolved-ips.ts);
 * this class keeps them consistent (a client given up loses its resolved IPs) and ages them.
 */
export class IntentsStore {
  private readonly targets: ClientTargets;
  private readonly dns: DnsMemory;
  private readonly resolved: ResolvedIps;
  private readonly bounds: StoreBounds;

  constructor(
    private readonly maxTargetsPerClient: number,
    bounds: Partial<StoreBounds> = {},
  ) {
    this.bounds = { ...defaultStoreBounds, ...bounds };
    const evicted = (map: StoreMap) => (entries: number): void => this.bounds.onEvict?.(map, entries);
    this.resolved = new ResolvedIps(this.bounds, evicted('resolved-ips'));
    this.dns = new DnsMemory(this.bounds.maxDnsMemory, evicted('dns-memory'));
    this.targets = new ClientTargets(this.bounds.maxClients, (map, entries) => this.bounds.onEvict?.(map, entries), (key) => this.resolved.forget(key));
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
    this.clientState(client, answer?.seenAt ?? until);
    const key = clientKeyOf(client.namespace, client.name, client.kind);
    this.resolved.remember(key, domain, ips, answer ? answer.seenAt + answer.ttlMs + this.bounds.resolvedIpGraceMs : until);
    this.dns.remember(key, domain, ips, until);
  }

  domainFor(client: WorkloadIdentity, ip: string, at: number): string | undefined {
    return this.dns.domainFor(clientKeyOf(client.namespace, client.name, client.kind), ip, at);
  }

  /**
   * Takes over from `previous` (this replica's store before it last lost the lead) what the
   * freshly seeded store lacks: targets resolved from observations already marked Processed but
   * not yet written when leadership was lost, and the DNS answers remembered. Only adds: a target
   * that is written (and so seeded) keeps its written evidence. Every store keeps its bound while
   * adopting (two full stores merged would be twice the bound): a client taken over when the
   * store is full first gives up the least recently active, and the previous DNS answers, being
   * older, are the first to go.
   */
  adoptMissing(previous: IntentsStore, now: number): string[] {
    const changed: string[] = [];
    // The least active first, so that the clients given up for room are the least active of all.
    const byActivity = [...previous.targets.clients].sort(([, a], [, b]) => a.activeAt - b.activeAt);
    for (const [key, old] of byActivity) {
      const state = this.targets.get(key);
      if (!state) {
        this.targets.insert(key, old, now);
        changed.push(key);
        continue;
      }
      let added = false;
      for (const [tkey, target] of old.targets) {
        if (state.targets.has(tkey) || state.targets.size >= this.maxTargetsPerClient) continue;
        state.targets.set(tkey, target);
        added = true;
      }
      if (added) changed.push(key);
    }
    for (const [key] of byActivity) if (this.targets.get(key)) this.resolved.adoptMissing(key, previous.resolved);
    this.dns.adoptMissing(previous.dns);
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
    this.targets.forget(key);
    this.targets.insert(key, state, now);
    // The TTLs are not written down: IPs read back stay for the grace period unless answered again.
    for (const entry of seed.resolvedIPs ?? []) this.resolved.remember(key, entry.dns, entry.ips, now + this.bounds.resolvedIpGraceMs);
    return key;
  }

  has(clientKey: string): boolean {
    return this.targets.has(clientKey);
  }

  clientKeys(): string[] {
    return [...this.targets.clients.keys()];
  }

  /**
   * Ages everything held: targets not seen since `now - maxAgeMs` (0: targets never expire),
   * answer IPs past their TTL plus grace, DNS memory past its time, tombstones the shell did not
   * act on. Returns the clients whose ClientIntents (or its status) changed.
   */
  expire(now: number, maxAgeMs: number): string[] {
    const changed = new Set<string>();
    this.targets.expireTombstones(now);
    for (const [key, state] of this.targets.clients) {
      for (const [tkey, target] of state.targets) {
        if (maxAgeMs > 0 && target.evidence.lastSeen < now - maxAgeMs) {
          state.targets.delete(tkey);
          if (target.ref.type === 'internet') this.resolved.forgetDomain(key, target.ref.domain);
          changed.add(key);
        }
      }
    }
    for (const key of this.resolved.expire(now)) changed.add(key);
    this.dns.expire(now);
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
    for (const [key, state] of this.targets.clients) {
      if (presentKeys.has(key)) state.presentAt = now;
      else if (goneMs > 0 && now - state.presentAt >= goneMs) changed.push(key);
    }
    for (const key of changed) this.targets.bury(key, now);
    return changed;
  }

  /** Removes one target of a client; true when it had it. */
  drop(client: WorkloadIdentity, ref: TargetRef): boolean {
    return this.targets.get(clientKeyOf(client.namespace, client.name, client.kind))?.targets.delete(targetKey(ref)) ?? false;
  }

  /** Clients given up (gone, or beyond the bound) whose ClientIntents is yet to be deleted. */
  buried(): string[] {
    return [...this.targets.tombstones.keys()];
  }

  get size(): { clients: number; tombstones: number; dnsMemory: number } {
    return { clients: this.targets.clients.size, tombstones: this.targets.tombstones.size, dnsMemory: this.dns.size };
  }

  forget(clientKey: string): void {
    this.targets.forget(clientKey);
  }

  /** Removes the client's targets for which `drop` says so; true when any went. */
  dropTargets(clientKey: string, drop: (ref: TargetRef) => boolean): boolean {
    const state = this.targets.get(clientKey);
    let removed = false;
    for (const [tkey, target] of state?.targets ?? []) {
      if (!drop(target.ref)) continue;
      state!.targets.delete(tkey);
      if (target.ref.type === 'internet') this.resolved.forgetDomain(clientKey, target.ref.domain);
      removed = true;
    }
    return removed;
  }

  /** The typed request of a key this store gave out: a client's, or a buried one's (its object is to be deleted). */
  requestOf(clientKey: string): { namespace: string; workload: { name: string; kind?: string } } | undefined {
    const state = this.targets.get(clientKey) ?? this.targets.tombstones.get(clientKey);
    if (!state) return undefined;
    return { namespace: state.namespace, workload: state.kind ? { name: state.workloadName, kind: state.kind } : { name: state.workloadName } };
  }

  desired(clientKey: string): DesiredIntents | undefined {
    const state = this.targets.get(clientKey);
    if (!state) {
      const tombstone = this.targets.tombstones.get(clientKey);
      if (!tombstone) return undefined;
      const workload = tombstone.kind ? { name: tombstone.workloadName, kind: tombstone.kind } : { name: tombstone.workloadName };
      return { clientKey, namespace: tombstone.namespace, objectName: tombstone.objectName, spec: { workload, targets: [] }, evidence: new Map(), resolvedIPs: [] };
    }
    const targets = [...state.targets.values()].sort((a, b) => compareTargetRefs(a.ref, b.ref));
    const evidence = new Map<string, Evidence>();
    for (const t of targets) evidence.set(targetKey(t.ref), t.evidence);
    const domains = new Set(targets.flatMap((t) => (t.ref.type === 'internet' ? [t.ref.domain] : [])));
    return {
      clientKey,
      namespace: state.namespace,
      objectName: state.objectName,
      spec: {
        workload: state.kind ? { name: state.workloadName, kind: state.kind } : { name: state.workloadName },
        targets: toIntentsTargets(targets.map((t) => ({ ref: t.ref, ports: [...t.ports].sort((a, b) => a - b) }))),
      },
      evidence,
      resolvedIPs: this.resolved.listFor(clientKey, domains, intentsBounds.resolvedIPsEntries, intentsBounds.ipsPerTarget),
    };
  }

  private clientState(client: WorkloadIdentity, seenAt = 0): ClientState {
    const key = clientKeyOf(client.namespace, client.name, client.kind);
    let state = this.targets.get(key);
    if (!state) {
      state = {
        namespace: client.namespace,
        workloadName: intentsName(client.name),
        kind: client.kind,
        objectName: objectNameFor(client),
        targets: new Map(),
        presentAt: seenAt,
        activeAt: seenAt,
      };
      this.targets.insert(key, state, seenAt);
    }
    if (seenAt > state.presentAt) state.presentAt = seenAt;
    return state;
  }
}
