import type { NetworkObservationSpec } from '../../crds/network-observation.js';
import { apiServerService, apiServerTargetName, sameIdentity, type ClusterIndex } from './cluster-index.js';
import { answeredName } from './cluster-dns.js';
import { clientKeyOf, type IntentsStore } from './intents-store.js';
import { targetName } from './names.js';
import { targetKey, type TargetRef } from './target-ref.js';
import type { ServerTarget, UnresolvedReason, WorkloadIdentity } from './types.js';

export interface ResolveOptions {
  /** Turn names outside the cluster into `internet` targets. */
  readonly internetTargets: boolean;
  /** How long a DNS answer credits later connections to its IPs (at least the TTL). */
  readonly dnsMemoryMs: number;
}

export interface ResolveOutcome {
  readonly records: number;
  readonly resolved: number;
  readonly unresolved: Map<UnresolvedReason, number>;
  /** Clients whose target sets or evidence changed. */
  readonly changedClients: Set<string>;
}

const internetDomain = /^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/**
 * Resolves one NetworkObservation into the store: DNS answers first, so that connections of the
 * same window to an answered IP are credited to the name, then connections. Every record is
 * either resolved or counted under a reason.
 */
export function resolveObservation(spec: NetworkObservationSpec, index: ClusterIndex, store: IntentsStore, options: ResolveOptions): ResolveOutcome {
  const unresolved = new Map<UnresolvedReason, number>();
  const changedClients = new Set<string>();
  let resolved = 0;
  const miss = (reason: UnresolvedReason): void => {
    unresolved.set(reason, (unresolved.get(reason) ?? 0) + 1);
  };
  const add = (client: WorkloadIdentity, ref: TargetRef, capture: 'DNS' | 'SYN' | 'SocketScan', first: number, last: number, port?: number): boolean => {
    if (!store.record(client, ref, capture, first, last, port)) {
      miss('too-many-targets');
      return false;
    }
    changedClients.add(clientKeyOf(client.namespace, client.name, client.kind));
    return true;
  };
  // A Service target stands in for backends the operator could not name when the traffic was
  // seen (a client calling before the Service had endpoints: every rollout and start-up); once
  // the client's traffic to that Service resolves to its one workload, the stand-in goes.
  const supersede = (client: WorkloadIdentity, server: ServerTarget): void => {
    if (server.type !== 'workload' || !server.viaService) return;
    const stand = refFor(client, { type: 'service', ...server.viaService });
    if (stand && store.drop(client, stand)) changedClients.add(clientKeyOf(client.namespace, client.name, client.kind));
  };

  /** Lookups of TCP-only Services: evidence for a target an answered call makes, never a target alone. */
  const lookups: { client: WorkloadIdentity; ref: TargetRef; first: number; last: number }[] = [];
  for (const answer of spec.dnsAnswers) {
    const first = Date.parse(answer.firstSeen);
    const last = Date.parse(answer.lastSeen);
    const client = index.client(answer.clientIP, first, last);
    if (!client.ok) {
      miss(client.reason);
      continue;
    }
    // A resolver's upstream answers (CoreDNS forwarding, node-local DNS) are its clients'
    // lookups, not its own: crediting them would make it a client of every name it serves.
    if (index.isDnsResolver(answer.clientIP, client.value)) {
      miss('client-dns-resolver');
      continue;
    }
    const name = answeredName(answer.name, answer.cnames, index.options.clusterDomain);
    const server = index.serverByName(name, first, last);
    if (server === 'external') {
      if (!options.internetTargets) {
        miss('internet-disabled');
        continue;
      }
      if (!internetDomain.test(name)) {
        miss('invalid-domain');
        continue;
      }
      store.rememberDns(client.value, name, answer.ips, last + Math.max(answer.ttlSeconds * 1000, options.dnsMemoryMs), { seenAt: last, ttlMs: answer.ttlSeconds * 1000 });
      if (add(client.value, { type: 'internet', domain: name }, 'DNS', first, last)) resolved++;
      continue;
    }
    if (!server.ok) {
      miss(server.reason);
      continue;
    }
    // A lookup is an intention, the answered call the fact: a refused call (under enforcement)
    // must not widen the map through its lookup. Only where no call can be seen does it count.
    if (index.callsVisibleAfterLookup(name)) {
      const ref = refFor(client.value, server.value);
      if (ref) lookups.push({ client: client.value, ref, first, last });
      resolved++;
      continue;
    }
    const ref = refFor(client.value, server.value);
    if (!ref) miss('self-call');
    else if (add(client.value, ref, 'DNS', first, last)) {
      resolved++;
      supersede(client.value, server.value);
    }
  }

  for (const connection of spec.connections) {
    const first = Date.parse(connection.firstSeen);
    const last = Date.parse(connection.lastSeen);
    const client = index.client(connection.clientIP, first, last);
    if (!client.ok) {
      miss(client.reason);
      continue;
    }
    let ref: TargetRef | undefined;
    let ports: number[];
    const server = index.serverByIp(connection.serverIP, first, last, connection.serverPort);
    if (server.ok) {
      ref = refFor(client.value, server.value);
      if (!ref) {
        miss('self-call');
        continue;
      }
      ports = index.podPorts(connection.serverIP, connection.serverPort);
    } else {
      const domain = options.internetTargets ? store.domainFor(client.value, connection.serverIP, first) : undefined;
      if (!domain) {
        miss(server.reason);
        continue;
      }
      ref = { type: 'internet', domain };
      ports = [connection.serverPort];
    }
    let added = true;
    for (const source of connection.sources) added = add(client.value, ref, source, first, last, ports[0]) && added;
    // A named targetPort a rollout renumbers can stand for two pod ports: each is kept.
    for (const port of ports.slice(1)) added = add(client.value, ref, connection.sources[0]!, first, last, port) && added;
    if (added) resolved++;
    if (added && server.ok) supersede(client.value, server.value);
  }

  const known = new Map<string, ReadonlySet<string>>();
  for (const lookup of lookups) {
    const key = clientKeyOf(lookup.client.namespace, lookup.client.name, lookup.client.kind);
    let targets = known.get(key);
    if (!targets) {
      targets = new Set(store.desired(key)?.evidence.keys() ?? []);
      known.set(key, targets);
    }
    if (targets.has(targetKey(lookup.ref))) add(lookup.client, lookup.ref, 'DNS', lookup.first, lookup.last);
  }

  return { records: spec.dnsAnswers.length + spec.connections.length, resolved, unresolved, changedClients };
}

/** The target as the client's ClientIntents names it; undefined for a workload calling itself. */
export function refFor(client: WorkloadIdentity, server: ServerTarget): TargetRef | undefined {
  switch (server.type) {
    case 'workload':
      if (sameIdentity(client, server.identity)) return undefined;
      return server.identity.kind
        ? { type: 'kubernetes', name: targetName(server.identity.name, server.identity.namespace, client.namespace), kind: server.identity.kind }
        : { type: 'kubernetes', name: targetName(server.identity.name, server.identity.namespace, client.namespace) };
    case 'service':
      if (server.namespace === apiServerService.namespace && server.name === apiServerService.name) return { type: 'service', name: apiServerTargetName };
      return { type: 'service', name: targetName(server.name, server.namespace, client.namespace) };
    case 'internet':
      return { type: 'internet', domain: server.domain };
  }
}
