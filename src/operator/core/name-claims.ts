import type { ExistingIntents } from './plan.js';

type Workload = { readonly name: string; readonly kind?: string };

/**
 * The object name each client was last planned under, by namespace and name: two clients planned
 * at once (a Deployment and a CronJob called `web` in one observation) must not both pick the
 * free name before either write is back. Bounded by the store's clients: a claim goes with its
 * client (`release`), and a claim whose client the store let go is dropped when next read.
 */
export class NameClaims {
  private readonly byNamespace = new Map<string, Map<string, { readonly clientKey: string; readonly workload: Workload }>>();
  private readonly ofClient = new Map<string, { readonly namespace: string; readonly name: string }>();

  claim(clientKey: string, workload: Workload, namespace: string, name: string): void {
    this.release(clientKey);
    let inNamespace = this.byNamespace.get(namespace);
    if (!inNamespace) this.byNamespace.set(namespace, (inNamespace = new Map()));
    inNamespace.set(name, { clientKey, workload });
    this.ofClient.set(clientKey, { namespace, name });
  }

  release(clientKey: string): void {
    const claimed = this.ofClient.get(clientKey);
    if (claimed) this.byNamespace.get(claimed.namespace)?.delete(claimed.name);
    this.ofClient.delete(clientKey);
  }

  /**
   * Names other clients have claimed in `namespace` whose objects are not in the cache yet
   * (`cached`), as taken objects of ours for the plan. `alive` tells a client the store still holds.
   */
  takenBy(namespace: string, clientKey: string, cached: (name: string) => boolean, alive: (clientKey: string) => boolean): ExistingIntents[] {
    const taken: ExistingIntents[] = [];
    const claims = this.byNamespace.get(namespace);
    for (const [name, claim] of claims ?? []) {
      if (!alive(claim.clientKey)) {
        // The store let that client go (expiry, its bounds): so does the claim.
        claims!.delete(name);
        this.ofClient.delete(claim.clientKey);
        continue;
      }
      if (claim.clientKey === clientKey || cached(name)) continue;
      taken.push({ namespace, name, managed: true, spec: { workload: claim.workload, targets: [] }, annotations: {} });
    }
    return taken;
  }
}
