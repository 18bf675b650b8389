import { BoundedMap } from '../../shared/core/bounded-map.js';

/** One client's drift: observed targets its declared ClientIntents lacks, declared ones not observed. */
export interface ClientDrift {
  readonly namespace: string;
  readonly undeclared: number;
  readonly unobserved: number;
}

export interface NamespaceDrift {
  readonly namespace: string;
  readonly undeclared: number;
  readonly unobserved: number;
}

/**
 * Per client the last drift planned, summed per namespace for netmap_undeclared_targets and
 * netmap_unobserved_targets. Bounded by the clients the store holds: a client the store forgets
 * is deleted here too (client-intents-reconciler.ts), and at most `maxClients` are kept (a
 * BoundedMap, least recently set first out).
 */
export class DriftCounts {
  private readonly clients: BoundedMap<string, ClientDrift>;
  /** Namespaces whose total changed because a client was given up for the bound, during one set. */
  private evictedFrom = new Set<string>();

  constructor(maxClients: number) {
    this.clients = new BoundedMap(maxClients, {
      onEvict: (evicted) => {
        for (const [, drift] of evicted) this.evictedFrom.add(drift.namespace);
      },
    });
  }

  /**
   * Records a client's drift (undefined: it has none, or its ClientIntents is ours); returns the
   * totals to publish: every namespace whose sum this changed, none when nothing did.
   */
  set(clientKey: string, drift: ClientDrift | undefined): NamespaceDrift[] {
    const before = this.clients.get(clientKey);
    this.evictedFrom = new Set();
    if (drift && (drift.undeclared > 0 || drift.unobserved > 0)) this.clients.set(clientKey, drift);
    else this.clients.delete(clientKey);
    const changed = new Set(this.evictedFrom);
    const same = before !== undefined && drift !== undefined && before.namespace === drift.namespace && before.undeclared === drift.undeclared && before.unobserved === drift.unobserved;
    if (!same) {
      if (before) changed.add(before.namespace);
      if (drift) changed.add(drift.namespace);
    }
    return [...changed].map((namespace) => this.total(namespace));
  }

  total(namespace: string): NamespaceDrift {
    let undeclared = 0;
    let unobserved = 0;
    for (const d of this.clients.values()) {
      if (d.namespace !== namespace) continue;
      undeclared += d.undeclared;
      unobserved += d.unobserved;
    }
    return { namespace, undeclared, unobserved };
  }

  clear(): void {
    this.clients.clear();
  }
}
