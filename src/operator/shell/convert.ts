import type { KubernetesObject, V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ExistingIntents } from '../core/plan.js';
import { managedByLabel, managedByValue } from '../../shared/ownership.js';
import type { EndpointSliceInfo, PodInfo, ServiceInfo } from '../core/types.js';

/** Kubernetes objects as the core sees them. */

export function podInfo(pod: V1Pod, endedAt: number | undefined): PodInfo {
  const ips = (pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : [])).filter((ip): ip is string => !!ip);
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    ips,
    hostNetwork: pod.spec?.hostNetwork === true,
    nodeName: pod.spec?.nodeName,
    start: timeOf(pod.metadata?.creationTimestamp) ?? 0,
    end: endedAt,
    annotations: pod.metadata?.annotations ?? {},
    labels: pod.metadata?.labels ?? {},
    ownerReferences: (pod.metadata?.ownerReferences ?? []).map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.name, controller: r.controller })),
  };
}

export function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function serviceInfo(service: V1Service): ServiceInfo {
  const ips = service.spec?.clusterIPs ?? (service.spec?.clusterIP ? [service.spec.clusterIP] : []);
  return {
    namespace: service.metadata?.namespace ?? '',
    name: service.metadata?.name ?? '',
    clusterIPs: ips.filter((ip) => ip && ip !== 'None'),
    ports: (service.spec?.ports ?? []).map((p) => p.port),
    portSpecs: (service.spec?.ports ?? []).map((p) => ({
      port: p.port,
      ...(p.name ? { name: p.name } : {}),
      ...(p.targetPort === undefined ? {} : { targetPort: p.targetPort as number | string }),
      ...(p.protocol ? { protocol: p.protocol } : {}),
    })),
  };
}

export function endpointSliceInfo(slice: V1EndpointSlice): EndpointSliceInfo | undefined {
  const serviceName = slice.metadata?.labels?.['kubernetes.io/service-name'];
  if (!serviceName) return undefined;
  const namespace = slice.metadata?.namespace ?? '';
  return {
    namespace,
    name: slice.metadata?.name ?? '',
    serviceName,
    ports: (slice.ports ?? []).flatMap((p) => (p.port === undefined ? [] : [p.port])),
    namedPorts: (slice.ports ?? []).flatMap((p) => (p.port === undefined ? [] : [{ name: p.name ?? '', port: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) }])),
    endpoints: (slice.endpoints ?? []).map((e) => {
      const target = e.targetRef;
      return target?.kind === 'Pod' && target.name ? { ips: e.addresses, pod: { namespace: target.namespace ?? namespace, name: target.name } } : { ips: e.addresses };
    }),
  };
}

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
  };
}

export function isManaged(object: KubernetesObject): boolean {
  return object.metadata?.labels?.[managedByLabel] === managedByValue;
}

function timeOf(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
