import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { ClusterIndex } from '../../core/cluster-index.js';
import { reconciled, type ObjectRequest, type Reconciler, type ReconcileResult } from '../../core/reconcile.js';
import { endpointSliceInfo } from '../../../shared/shell/service-info.js';
import type { Lister } from '../watched-resource.js';

/** EndpointSlices -> the ClusterIndex (which workload is behind a Service). */
export class EndpointSliceReconciler implements Reconciler<ObjectRequest> {
  constructor(
    private readonly slices: Lister<V1EndpointSlice>,
    private readonly index: ClusterIndex,
  ) {}

  reconcile({ namespace, name }: ObjectRequest): Promise<ReconcileResult> {
    const slice = this.slices.get(namespace, name);
    const info = slice && endpointSliceInfo(slice);
    if (info) this.index.upsertSlice(info);
    else this.index.removeSlice(namespace, name);
    return Promise.resolve(reconciled);
  }
}
