import type { V1Pod } from '@kubernetes/client-node';
import type { Clock } from '../../../shared/core/clock.js';
import type { ClusterIndex } from '../../core/cluster-index.js';
import { reconciled, type ObjectRequest, type Reconciler, type ReconcileResult } from '../../core/reconcile.js';
import type { PodInfo, WorkloadIdentity } from '../../core/types.js';
import { resolveWorkloadIdentity } from '../../core/workload-identity.js';
import { isTerminal, podInfo } from '../../../shared/shell/pod-info.js';
import type { OwnerReader } from '../../../shared/shell/owner-reader.js';
import type { Lister } from '../watched-resource.js';

/** Pods -> the ClusterIndex (IPs, tenures, workload identity through the owner walk). */
export class PodReconciler implements Reconciler<ObjectRequest> {
  /** When a pod was first seen terminal: its tenure of the IP ends then. Dropped with the pod. */
  private readonly terminalSince = new Map<string, number>();

  constructor(
    private readonly pods: Lister<V1Pod>,
    private readonly index: ClusterIndex,
    private readonly owners: OwnerReader,
    private readonly clock: Clock,
  ) {}

  async reconcile({ namespace, name }: ObjectRequest): Promise<ReconcileResult> {
    const key = `${namespace}/${name}`;
    const pod = this.pods.get(namespace, name);
    const now = this.clock.now();
    if (!pod) {
      this.terminalSince.delete(key);
      this.index.removePod(namespace, name, now);
      return reconciled;
    }
    let endedAt: number | undefined;
    if (isTerminal(pod)) {
      endedAt = this.terminalSince.get(key) ?? now;
      this.terminalSince.set(key, endedAt);
    }
    const info = podInfo(pod, endedAt);
    this.index.upsertPod(info, await this.identityOf(info), now);
    return reconciled;
  }

  private async identityOf(pod: PodInfo): Promise<WorkloadIdentity> {
    for (;;) {
      const step = resolveWorkloadIdentity(pod, (ns, ref) => this.owners.cached(ns, ref));
      if (step.status === 'resolved') return step.identity;
      await this.owners.read(step.namespace, step.ref);
    }
  }
}
