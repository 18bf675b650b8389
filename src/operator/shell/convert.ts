import type { KubernetesObject, V1Node } from '@kubernetes/client-node';
import type { ExistingIntents } from '../core/plan.js';
import { managedByLabel, managedByValue } from '../../shared/ownership.js';
import { gitOpsManagement, type GitOpsManagement } from '../../shared/gitops.js';

/**
 * Kubernetes objects as the core sees them (pods, Services and EndpointSlices: src/shared/shell,
 * shared with the CLI).
 */

export function nodeIps(node: V1Node): string[] {
  return (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address);
}

export interface ClientIntentsObject extends KubernetesObject {
  spec?: unknown;
  status?: { resolvedIPs?: { dns: string; ips: string[] }[]; upToDate?: boolean; observedGeneration?: number };
}

export function existingIntents(object: ClientIntentsObject): ExistingIntents {
  return {
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    managed: isManaged(object),
    spec: object.spec,
    annotations: object.metadata?.annotations ?? {},
    resolvedIPs: object.status?.resolvedIPs,
    ...withGitOps(object),
  };
}

/** Whether our field manager owns a field of the object itself (not its status); undefined: unknown. */
function ownsFields(object: KubernetesObject): boolean | undefined {
  const fields = object.metadata?.managedFields;
  if (!fields) return undefined;
  return fields.some((f) => f.manager === ourFieldManager && f.subresource !== 'status');
}

/** settings.fieldManager: the operator always writes as this manager. */
const ourFieldManager = 'network-mapper';

/** The GitOps engine applying the object, from its labels, annotations and field managers. */
export function gitOpsOf(object: KubernetesObject): GitOpsManagement | undefined {
  return gitOpsManagement({
    labels: object.metadata?.labels,
    annotations: object.metadata?.annotations,
    fieldManagers: (object.metadata?.managedFields ?? []).flatMap((f) => (f.manager ? [f.manager] : [])),
  });
}

function withGitOps(object: KubernetesObject): { gitOps?: GitOpsManagement; ownsFields?: boolean } {
  const gitOps = gitOpsOf(object);
  const owns = ownsFields(object);
  return gitOps ? { gitOps, ...(owns === undefined ? {} : { ownsFields: owns }) } : {};
}

export function isManaged(object: KubernetesObject): boolean {
  return object.metadata?.labels?.[managedByLabel] === managedByValue;
}
