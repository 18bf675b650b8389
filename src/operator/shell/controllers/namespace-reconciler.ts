import type { V1Namespace } from '@kubernetes/client-node';
import { reconciled, type NameRequest, type Reconciler, type ReconcileResult } from '../../core/reconcile.js';
import type { GoneNamespaces } from '../../core/gone-namespaces.js';
import type { Lister } from '../watched-resource.js';
import type { Clock } from '../../../shared/core/clock.js';

/** Namespaces -> GoneNamespaces; `onGone` lets the leader drop what it holds for one. */
export class NamespaceReconciler implements Reconciler<NameRequest> {
  constructor(
    private readonly namespaces: Lister<V1Namespace>,
    private readonly gone: GoneNamespaces,
    private readonly onGone: (namespace: string) => void,
    private readonly clock: Clock,
  ) {}

  reconcile({ name }: NameRequest): Promise<ReconcileResult> {
    const namespace = this.namespaces.get(undefined, name);
    let fresh = false;
    if (!namespace) fresh = this.gone.deleted(name, this.clock.now());
    else if (namespace.metadata?.deletionTimestamp) fresh = this.gone.terminating(name);
    else this.gone.back(name);
    if (fresh) this.onGone(name);
    return Promise.resolve(reconciled);
  }
}
