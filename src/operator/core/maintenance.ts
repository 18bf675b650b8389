import type { ClusterIndex } from './cluster-index.js';
import type { GoneNamespaces } from './gone-namespaces.js';
import type { HttpIntents } from './http-intents.js';
import type { IntentsStore } from './intents-store.js';

export interface MaintainedState {
  readonly index: ClusterIndex;
  readonly gone: GoneNamespaces;
  /** The leader's store, only while this replica leads and has seeded it. */
  readonly store?: IntentsStore;
  /** The leader's HTTP paths (HTTP paths on), with the store. */
  readonly http?: HttpIntents;
}

export interface ExpirySettings {
  readonly targetExpiryMs: number;
  readonly goneWorkloadMs: number;
}

/**
 * One maintenance pass (the shell runs it every 30 s): every replica ages its index (ended IP
 * tenures) and its gone namespaces; the leader also expires targets not seen for
 * `targetExpiryMs` and workloads without pods for `goneWorkloadMs`. Returns the clients whose
 * ClientIntents must be rewritten or deleted, buried ones included until their deletion is done.
 */
export function maintenancePass(state: MaintainedState, now: number, settings: ExpirySettings): Set<string> {
  state.index.prune(now);
  state.gone.prune(now);
  const { store } = state;
  if (!store) return new Set();
  const expired = [...store.expire(now, settings.targetExpiryMs), ...(state.http?.expire(now, settings.targetExpiryMs) ?? [])];
  const gone = store.expireGone(now, settings.goneWorkloadMs, state.index.workloads());
  return new Set([...expired, ...gone, ...store.buried()]);
}
