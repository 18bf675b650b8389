import { sameIdentity, type ClusterIndex } from '../cluster-index.js';
import { clientKeyOf, type IntentsStore } from '../intents-store.js';
import type { UnresolvedReason, WorkloadIdentity } from '../types.js';
import type { AccessGroup } from './access-window.js';
import { kafkaTargetName } from './kafka-target-name.js';

export interface KafkaResolveOutcome {
  /** Lines whose access went into the store. */
  readonly resolved: number;
  /** Lines whose client could not be named, by reason (as for observations). */
  readonly unresolved: Map<UnresolvedReason, number>;
  readonly changedClients: Set<string>;
}

/**
 * Puts one broker's grouped topic accesses into the store. The line's `host` is the client's
 * address as the broker saw it: the client is the pod that held that IP when the lines were
 * logged, with the same time-aware IP history as every other record (IPs get reused; a group
 * spanning two holders is ambiguous, not guessed). The broker's own pods (replication, the
 * controller) are not its clients.
 */
export function resolveKafkaAccess(groups: readonly AccessGroup[], broker: WorkloadIdentity, index: ClusterIndex, store: IntentsStore): KafkaResolveOutcome {
  const unresolved = new Map<UnresolvedReason, number>();
  const changedClients = new Set<string>();
  let resolved = 0;
  const miss = (reason: UnresolvedReason, lines: number): void => {
    unresolved.set(reason, (unresolved.get(reason) ?? 0) + lines);
  };
  for (const group of groups) {
    const client = index.client(canonicalIp(group.host), group.first, group.last);
    if (!client.ok) {
      miss(client.reason, group.count);
      continue;
    }
    if (sameIdentity(client.value, broker)) {
      miss('self-call', group.count);
      continue;
    }
    const ref = { type: 'kafka' as const, name: kafkaTargetName(broker), topic: group.topic, operation: group.operation };
    if (!store.record(client.value, ref, 'KafkaAuthorizer', group.first, group.last)) {
      miss('too-many-targets', group.count);
      continue;
    }
    resolved += group.count;
    changedClients.add(clientKeyOf(client.value.namespace, client.value.name, client.value.kind));
  }
  return { resolved, unresolved, changedClients };
}

/**
 * Java writes IPv6 addresses in full (`2001:db8:0:0:0:0:0:1`, maybe with a `%scope`); pods list
 * them compressed. The URL parser gives the compressed form.
 */
export function canonicalIp(host: string): string {
  if (!host.includes(':')) return host;
  try {
    return new URL(`http://[${host.split('%')[0]}]/`).hostname.slice(1, -1);
  } catch {
    return host;
  }
}
