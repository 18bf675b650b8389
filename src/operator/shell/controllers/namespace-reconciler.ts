import type { V1Namespace } from '@kubernetes/client-node';
import { reconciled, type NameRequest, type Reconciler, type ReconcileResult } from '../../core/reconcile.js';
import type { TargetRef } from '../../core/target-ref.js';
import type { WatchedResource } from '../watched-resource.js';
import type { Clock } from '../../core/clock.js';

/**
 * Namespaces that are gone for the operator: Terminating (deletionTimestamp set) or deleted.
 * Nothing is written into them and targets naming their workloads go. A deleted namespace is
 * remembered for `keepMs` (the IP history retention: traffic seen before the deletion may still
 * name its pods), then forgotten; so the set is bounded by the namespaces deleted in that time.
 */
export class GoneNamespaces {
  private readonly gone = new Map<string, number | undefined>();

  constructor(private readonly keepMs: number) {}

  has(namespace: string): boolean {
    return this.gone.has(namespace);
  }

  /** Returns true when the namespace was not gone before. */
  terminating(namespace: string): boolean {
    if (this.gone.has(namespace)) return false;
    this.gone.set(namespace, undefined);
    return true;
  }

  deleted(namespace: string, now: number): boolean {
    const fresh = !this.gone.has(namespace);
    this.gone.set(namespace, now);
    return fresh;
  }

  back(namespace: string): void {
    this.gone.delete(namespace);
  }

  prune(now: number): void {
    for (const [namespace, deletedAt] of this.gone) if (deletedAt !== undefined && deletedAt + this.keepMs < now) this.gone.delete(namespace);
  }
}

/** The namespace a target's workload or Service lives in (`name.namespace`, else the client's). */
export function targetNamespace(ref: TargetRef, clientNamespace: string): string | undefined {
  if (ref.type === 'internet') return undefined;
  const dot = ref.name.indexOf('.');
  return dot < 0 ? clientNamespace : ref.name.slice(dot + 1);
}

/** Namespaces -> GoneNamespaces; `onGone` lets the leader drop what it holds for one. */
export class NamespaceReconciler implements Reconciler<NameRequest> {
  constructor(
    private readonly namespaces: WatchedResource<V1Namespace>,
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
