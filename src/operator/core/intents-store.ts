import { intentsBounds } from '../../crds/bounds.js';
import type { ClientIntentsSpec } from '../../crds/client-intents.js';
import type { Evidence } from './evidence.js';
import { intentsName, objectNameFor } from './names.js';
import { compareTargetRefs, fromIntentsTarget, targetKey, toIntentsTarget, type TargetRef } from './target-ref.js';
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
  readonly resolvedIPs: Map<string, Set<string>>;
}

/** What one client workload's ClientIntents should hold. */
export interface DesiredIntents {
  readonly clientKey: string;
  readonly namespace: string;
  readonly objectName: string;
  readonly spec: ClientIntentsSpec;
  readonly evidence: ReadonlyMap<string, Evidence>;
  readonly resolvedIPs: readonly { dns: string; ips: string[] }[];
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
  private readonly dnsMemory = new Map<string, { domain: string; until: number }>();

  constructor(private readonly maxTargetsPerClient: number) {}

  /** Adds or refreshes a target; returns false when the client already has too many targets. */
  record(client: WorkloadIdentity, ref: TargetRef, capture: Capture, firstSeen: number, lastSeen: number, port?: number): boolean {
    const state = this.clientState(client);
    const key = targetKey(ref);
    let target = state.targets.get(key);
    if (!target) {
      if (state.targets.size >= this.maxTargetsPerClient) return false;
      target = { ref, ports: new Set(), evidence: { firstSeen, lastSeen, captures: new Set() } };
      state.targets.set(key, target);
    }
    if (port !== undefined && ref.type === 'internet') target.ports.add(port);
    target.evidence.captures.add(capture);
    if (firstSeen < target.evidence.firstSeen) target.evidence.firstSeen = firstSeen;
    if (lastSeen > target.evidence.lastSeen) target.evidence.lastSeen = lastSeen;
    return true;
  }

  /** Remembers a DNS answer so that a later connection to the IP is credited to the name. */
  rememberDns(client: WorkloadIdentity, domain: string, ips: readonly string[], until: number): void {
    const state = this.clientState(client);
    let set = state.resolvedIPs.get(domain);
    if (!set) state.resolvedIPs.set(domain, (set = new Set()));
    const prefix = clientKeyOf(client.namespace, client.name, client.kind);
    for (const ip of ips) {
      set.add(ip);
      const key = `${prefix}|${ip}`;
      const known = this.dnsMemory.get(key);
      if (!known || known.until <= until) this.dnsMemory.set(key, { domain, until });
    }
  }

  domainFor(client: WorkloadIdentity, ip: string, at: number): string | undefined {
    const known = this.dnsMemory.get(`${clientKeyOf(client.namespace, client.name, client.kind)}|${ip}`);
    return known && known.until >= at ? known.domain : undefined;
  }

  /**
   * Takes over from `previous` (this replica's store before it last lost the lead) what the
   * freshly seeded store lacks: targets resolved from observations already marked Processed but
   * not yet written when leadership was lost, and the DNS answers remembered. Only adds: a target
   * that is written (and so seeded) keeps its written evidence.
   */
  adoptMissing(previous: IntentsStore): string[] {
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
      if (added) changed.push(key);
    }
    for (const [key, value] of previous.dnsMemory) if (!this.dnsMemory.has(key)) this.dnsMemory.set(key, value);
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
    };
    for (const target of seed.spec.targets) {
      for (const { ref, ports } of fromIntentsTarget(target)) {
        const tkey = targetKey(ref);
        const known = seed.evidence.get(tkey);
        const evidence: Evidence = known
          ? { firstSeen: known.firstSeen, lastSeen: known.lastSeen, captures: new Set(known.captures) }
          : { firstSeen: now, lastSeen: now, captures: new Set() };
        state.targets.set(tkey, { ref, ports: new Set(ports), evidence });
      }
    }
    for (const entry of seed.resolvedIPs ?? []) state.resolvedIPs.set(entry.dns, new Set(entry.ips));
    this.clients.set(key, state);
    return key;
  }

  has(clientKey: string): boolean {
    return this.clients.has(clientKey);
  }

  clientKeys(): string[] {
    return [...this.clients.keys()];
  }

  /** Drops targets not seen since `now - maxAgeMs`; returns the clients that changed. */
  expire(now: number, maxAgeMs: number): string[] {
    const changed: string[] = [];
    for (const [key, state] of this.clients) {
      let removed = false;
      for (const [tkey, target] of state.targets) {
        if (target.evidence.lastSeen < now - maxAgeMs) {
          state.targets.delete(tkey);
          if (target.ref.type === 'internet') state.resolvedIPs.delete(target.ref.domain);
          removed = true;
        }
      }
      if (removed) changed.push(key);
    }
    for (const [key, memory] of this.dnsMemory) if (memory.until < now) this.dnsMemory.delete(key);
    return changed;
  }

  forget(clientKey: string): void {
    this.clients.delete(clientKey);
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

  /** The typed request of a key this store gave out. */
  requestOf(clientKey: string): { namespace: string; workload: { name: string; kind?: string } } | undefined {
    const state = this.clients.get(clientKey);
    if (!state) return undefined;
    return { namespace: state.namespace, workload: state.kind ? { name: state.workloadName, kind: state.kind } : { name: state.workloadName } };
  }

  desired(clientKey: string): DesiredIntents | undefined {
    const state = this.clients.get(clientKey);
    if (!state) return undefined;
    const targets = [...state.targets.values()].sort((a, b) => compareTargetRefs(a.ref, b.ref));
    const evidence = new Map<string, Evidence>();
    for (const t of targets) evidence.set(targetKey(t.ref), t.evidence);
    const domains = new Set(targets.flatMap((t) => (t.ref.type === 'internet' ? [t.ref.domain] : [])));
    const resolvedIPs = [...state.resolvedIPs.entries()]
      .filter(([dns, ips]) => domains.has(dns) && ips.size > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, intentsBounds.resolvedIPsEntries)
      .map(([dns, ips]) => ({ dns, ips: [...ips].sort().slice(0, intentsBounds.ipsPerTarget) }));
    return {
      clientKey,
      namespace: state.namespace,
      objectName: state.objectName,
      spec: {
        workload: state.kind ? { name: state.workloadName, kind: state.kind } : { name: state.workloadName },
        targets: targets.map((t) => toIntentsTarget(t.ref, [...t.ports].sort((a, b) => a - b))),
      },
      evidence,
      resolvedIPs,
    };
  }

  private clientState(client: WorkloadIdentity): ClientState {
    const key = clientKeyOf(client.namespace, client.name, client.kind);
    let state = this.clients.get(key);
    if (!state) {
      state = {
        namespace: client.namespace,
        workloadName: intentsName(client.name),
        kind: client.kind,
        objectName: objectNameFor(client),
        targets: new Map(),
        resolvedIPs: new Map(),
      };
      this.clients.set(key, state);
    }
    return state;
  }
}
