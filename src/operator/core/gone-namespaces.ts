import type { TargetRef } from './target-ref.js';

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
