import type { OwnerRef, PodInfo, WorkloadIdentity } from './types.js';

export const workloadNameAnnotation = 'intents.otterize.com/workload-name';
export const legacyServiceNameAnnotation = 'intents.otterize.com/service-name';
export const serviceNameLabel = 'otterize/service-name';

/** What the shell knows about one owner object: its own owners, or why it could not read it. */
export type OwnerLookup =
  | { readonly status: 'found'; readonly ownerReferences: readonly OwnerRef[] }
  | { readonly status: 'forbidden' | 'notFound' | 'unknownKind' };

/** Owners already read, by namespace + kind + name (see ownerKey). */
export type OwnerCache = (namespace: string, ref: OwnerRef) => OwnerLookup | undefined;

export type IdentityStep =
  | { readonly status: 'resolved'; readonly identity: WorkloadIdentity }
  | { readonly status: 'needOwner'; readonly namespace: string; readonly ref: OwnerRef };

export function ownerKey(namespace: string, ref: Pick<OwnerRef, 'apiVersion' | 'kind' | 'name'>): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${namespace}/${group}/${ref.kind}/${ref.name}`;
}

/**
 * A pod's workload: the workload-name annotation, the legacy service-name annotation, the seed's
 * `otterize/service-name` label, and otherwise the root of its owner chain. The walk stops at an
 * owner it cannot read (forbidden, gone, unknown kind) and names that owner. When an owner has
 * not been read yet the step asks the caller to read it and try again, so this stays pure.
 */
export function resolveWorkloadIdentity(pod: PodInfo, owners: OwnerCache, maxDepth = 16): IdentityStep {
  const override = nonEmpty(pod.annotations[workloadNameAnnotation]) ?? nonEmpty(pod.annotations[legacyServiceNameAnnotation]) ?? nonEmpty(pod.labels[serviceNameLabel]);
  if (override) return { status: 'resolved', identity: { namespace: pod.namespace, name: override } };

  let current: { kind: string; name: string; refs: readonly OwnerRef[] } = { kind: 'Pod', name: pod.name, refs: pod.ownerReferences };
  for (let depth = 0; depth < maxDepth; depth++) {
    const next = controllerOf(current.refs);
    if (!next) break;
    const lookup = owners(pod.namespace, next);
    if (!lookup) return { status: 'needOwner', namespace: pod.namespace, ref: next };
    current = { kind: next.kind, name: next.name, refs: lookup.status === 'found' ? lookup.ownerReferences : [] };
  }
  return { status: 'resolved', identity: { namespace: pod.namespace, name: current.name, kind: current.kind } };
}

/** The controller reference, else the first one (Kubernetes allows at most one controller). */
export function controllerOf(refs: readonly OwnerRef[]): OwnerRef | undefined {
  return refs.find((r) => r.controller === true) ?? refs[0];
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
