import type { V1Node } from '@kubernetes/client-node';
import type { ClusterIndex } from '../../core/cluster-index.js';
import { reconciled, type NameRequest, type Reconciler, type ReconcileResult } from '../../core/reconcile.js';
import { nodeIps } from '../convert.js';
import type { Lister } from '../watched-resource.js';

/** Nodes -> the ClusterIndex (node IPs count as host network). */
export class NodeReconciler implements Reconciler<NameRequest> {
  constructor(
    private readonly nodes: Lister<V1Node>,
    private readonly index: ClusterIndex,
  ) {}

  reconcile({ name }: NameRequest): Promise<ReconcileResult> {
    const node = this.nodes.get(undefined, name);
    if (node) this.index.setNode(name, nodeIps(node));
    else this.index.removeNode(name);
    return Promise.resolve(reconciled);
  }
}
