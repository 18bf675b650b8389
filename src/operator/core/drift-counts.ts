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
 * is deleted here too (client-intents-reconciler.ts), and at most `maxClients` are kept.
 */
export class DriftCounts {
  private readonly clients = new Map<string, ClientDrift>();

  constructor(private readonly maxClients: number) {}

  /** Records a client's drift (undefined: it has none, or its ClientIntents is ours); the namespace total to publish. */
  set(clientKey: string, drift: ClientDrift | undefined): NamespaceDrift | undefined {
    const before = this.clients.get(clientKey);
    if (drift && (drift.undeclared > 0 || drift.unobserved > 0)) {
      this.clients.delete(clientKey);
      this.clients.set(clientKey, drift);
      for (const oldest of this.clients.keys()) {
        if (this.clients.size <= this.maxClients) break;
        this.clients.delete(oldest);
      }
    } else {
      this.clients.delete(clientKey);
    }
    const namespace = drift?.namespace ?? before?.namespace;
    if (namespace === undefined) return undefined;
    if (before && drift && before.undeclared === drift.undeclared && before.unobserved === drift.unobserved && before.namespace === drift.namespace) return undefined;
    return this.total(namespace);
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
