import type { NetworkObservationSpec } from '../../crds/network-observation.js';
import type { ClusterIndex } from './cluster-index.js';
import type { HttpIntents } from './http-intents.js';
import { clientKeyOf, type IntentsStore } from './intents-store.js';
import { refFor, type ResolveOutcome } from './observation-resolver.js';
import { targetKey } from './target-ref.js';
import type { UnresolvedReason } from './types.js';

export interface HttpResolveOptions {
  /** HTTP_PATHS: off by default; the records are then counted as `http-disabled`. */
  readonly enabled: boolean;
}

/**
 * The HTTP records of one NetworkObservation: each (client, server, path) is resolved like a
 * connection and, when the server is one workload (a `kubernetes` target), recorded on that
 * target with its methods. The target itself is recorded with capture `HTTP`, so its evidence
 * says so. The sniffer's overflow counts go to the same target.
 */
export function resolveHttp(spec: NetworkObservationSpec, index: ClusterIndex, store: IntentsStore, http: HttpIntents, options: HttpResolveOptions): ResolveOutcome {
  const requests = spec.httpRequests ?? [];
  const overflows = spec.httpOverflow ?? [];
  const unresolved = new Map<UnresolvedReason, number>();
  const changedClients = new Set<string>();
  const records = requests.length + overflows.length;
  const miss = (reason: UnresolvedReason, count = 1): void => {
    unresolved.set(reason, (unresolved.get(reason) ?? 0) + count);
  };
  if (!options.enabled) {
    if (records > 0) miss('http-disabled', records);
    return { records, resolved: 0, unresolved, changedClients };
  }

  /** The client's key and the target key of a kubernetes target, or undefined (counted). */
  const target = (clientIP: string, serverIP: string, serverPort: number, first: number, last: number): { clientKey: string; key: string } | undefined => {
    const client = index.client(clientIP, first, last);
    if (!client.ok) return void miss(client.reason);
    const server = index.serverByIp(serverIP, first, last, serverPort);
    if (!server.ok) return void miss(server.reason);
    const ref = refFor(client.value, server.value);
    if (!ref) return void miss('self-call');
    if (ref.type !== 'kubernetes') return void miss('http-not-workload');
    if (!store.record(client.value, ref, 'HTTP', first, last)) return void miss('too-many-targets');
    const clientKey = clientKeyOf(client.value.namespace, client.value.name, client.value.kind);
    changedClients.add(clientKey);
    return { clientKey, key: targetKey(ref) };
  };

  let resolved = 0;
  for (const request of requests) {
    const first = Date.parse(request.firstSeen);
    const last = Date.parse(request.lastSeen);
    const found = target(request.clientIP, request.serverIP, request.serverPort, first, last);
    if (!found) continue;
    http.record(found.clientKey, found.key, request.path, request.methods, first, last);
    resolved++;
  }
  const windowStart = Date.parse(spec.windowStart);
  const windowEnd = Date.parse(spec.windowEnd);
  for (const overflow of overflows) {
    const found = target(overflow.clientIP, overflow.serverIP, overflow.serverPort, windowStart, windowEnd);
    if (!found) continue;
    http.recordOverflow(found.clientKey, found.key, overflow.count);
    resolved++;
  }
  return { records, resolved, unresolved, changedClients };
}

/** One observation's outcome from its parts (connections and DNS, then HTTP). */
export function mergeOutcomes(a: ResolveOutcome, b: ResolveOutcome): ResolveOutcome {
  const unresolved = new Map(a.unresolved);
  for (const [reason, count] of b.unresolved) unresolved.set(reason, (unresolved.get(reason) ?? 0) + count);
  return {
    records: a.records + b.records,
    resolved: a.resolved + b.resolved,
    unresolved,
    changedClients: new Set([...a.changedClients, ...b.changedClients]),
  };
}
