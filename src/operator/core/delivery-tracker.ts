/**
 * At-least-once delivery: an observation is marked Processed only once every ClientIntents it
 * changed has been written (or needed no write). Until then it stays Pending in the API, so a
 * leader that dies in between leaves it for the next one to resolve again. Entries live from
 * resolving an observation to marking it; bounded by the observations in the namespace.
 */
export class DeliveryTracker {
  private readonly awaiting = new Map<string, Set<string>>();
  private readonly byClient = new Map<string, Set<string>>();

  /** The observation was resolved into the store, changing these clients. */
  resolved(observationId: string, clients: Iterable<string>): void {
    const pending = new Set(clients);
    this.awaiting.set(observationId, pending);
    for (const client of pending) {
      let observations = this.byClient.get(client);
      if (!observations) this.byClient.set(client, (observations = new Set()));
      observations.add(observationId);
    }
  }

  /** unknown: not resolved (by this leader); waiting: writes outstanding; delivered: may be marked. */
  state(observationId: string): 'unknown' | 'waiting' | 'delivered' {
    const pending = this.awaiting.get(observationId);
    if (!pending) return 'unknown';
    return pending.size === 0 ? 'delivered' : 'waiting';
  }

  /** The client's desired state is in the API; returns the observations now delivered. */
  written(clientId: string): string[] {
    const observations = this.byClient.get(clientId);
    if (!observations) return [];
    this.byClient.delete(clientId);
    const delivered: string[] = [];
    for (const id of observations) {
      const pending = this.awaiting.get(id);
      if (!pending) continue;
      pending.delete(clientId);
      if (pending.size === 0) delivered.push(id);
    }
    return delivered;
  }

  /** Marked (or gone): nothing more to track. */
  forget(observationId: string): void {
    const pending = this.awaiting.get(observationId);
    this.awaiting.delete(observationId);
    for (const client of pending ?? []) {
      const observations = this.byClient.get(client);
      observations?.delete(observationId);
      if (observations?.size === 0) this.byClient.delete(client);
    }
  }

  /** Leadership lost: the observations stay Pending and will be resolved again. */
  clear(): void {
    this.awaiting.clear();
    this.byClient.clear();
  }

  get size(): number {
    return this.awaiting.size;
  }

  /** Clients with writes some observation waits for. */
  pendingClients(): string[] {
    return [...this.byClient.keys()];
  }
}
