import type { KubernetesObject, V1EndpointSlice, V1Namespace, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ObservationObject } from './controllers/observation-reconciler.js';
import { isTerminal, podInfo } from '../../shared/shell/pod-info.js';
import { gitOpsOf, isManaged, nodeIps, type ClientIntentsObject } from './convert.js';
import { endpointSliceInfo, serviceInfo } from '../../shared/shell/service-info.js';

/**
 * Per resource: the transform that trims an object as it enters the informer cache, and the
 * fields a reconciler reads of it (what predicates compare, so that an update changing nothing
 * read is not enqueued).
 */

/** Pods: what podInfo reads, nothing else. */
export function slimPod(pod: V1Pod): void {
  if (pod.metadata) delete pod.metadata.managedFields;
  if (pod.spec) pod.spec = { containers: [], hostNetwork: pod.spec.hostNetwork, nodeName: pod.spec.nodeName };
  if (pod.status) pod.status = { phase: pod.status.phase, podIP: pod.status.podIP, podIPs: pod.status.podIPs };
}

/** Observations: metadata and status; the spec is read when the object is processed. */
export function slimObservation(object: ObservationObject): void {
  delete object.spec;
  if (object.metadata) delete object.metadata.managedFields;
}

export function dropManagedFields(object: KubernetesObject): void {
  if (object.metadata) delete object.metadata.managedFields;
}

/** ClientIntents: of managedFields only the managers (a GitOps engine is recognised by its own). */
export function slimIntents(object: KubernetesObject): void {
  const fields = object.metadata?.managedFields;
  if (fields) object.metadata!.managedFields = fields.map((f) => ({ manager: f.manager, operation: f.operation, ...(f.subresource ? { subresource: f.subresource } : {}) }));
}

export function podReadFields(pod: V1Pod): unknown {
  return { info: podInfo(pod, undefined), terminal: isTerminal(pod), deleting: !!pod.metadata?.deletionTimestamp };
}

export function serviceReadFields(service: V1Service): unknown {
  return serviceInfo(service);
}

export function endpointSliceReadFields(slice: V1EndpointSlice): unknown {
  return endpointSliceInfo(slice) ?? null;
}

export function nodeReadFields(node: V1Node): unknown {
  return nodeIps(node);
}

export function namespaceReadFields(namespace: V1Namespace): unknown {
  return { terminating: !!namespace.metadata?.deletionTimestamp };
}

export function observationReadFields(object: ObservationObject): unknown {
  return { phase: object.status?.phase ?? null, processedAt: object.status?.processedAt ?? null };
}

/**
 * Not the Intents Operator's status (upToDate, observedGeneration) nor the resourceVersion alone:
 * an update of only those is skipped (our copy of our own write is retired by resourceVersion
 * when the next passing event or reconcile reads the cache).
 */
export function intentsReadFields(object: ClientIntentsObject): unknown {
  return {
    spec: object.spec ?? null,
    managed: isManaged(object),
    gitOps: gitOpsOf(object)?.engine ?? null,
    annotations: object.metadata?.annotations ?? {},
    resolvedIPs: object.status?.resolvedIPs ?? null,
  };
}
