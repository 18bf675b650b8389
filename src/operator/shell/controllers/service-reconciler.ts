import type { V1Service } from '@kubernetes/client-node';
import type { ClusterIndex } from '../../core/cluster-index.js';
import { reconciled, type ObjectRequest, type Reconciler, type ReconcileResult } from '../../core/reconcile.js';
import { serviceInfo } from '../../../shared/shell/service-info.js';
import type { Lister } from '../watched-resource.js';

/** Services -> the ClusterIndex (ClusterIPs). */
export class ServiceReconciler implements Reconciler<ObjectRequest> {
  constructor(
    private readonly services: Lister<V1Service>,
    private readonly index: ClusterIndex,
  ) {}

  reconcile({ namespace, name }: ObjectRequest): Promise<ReconcileResult> {
    const svc = this.services.get(namespace, name);
    if (svc) this.index.upsertService(serviceInfo(svc));
    else this.index.removeService(namespace, name);
    return Promise.resolve(reconciled);
  }
}
