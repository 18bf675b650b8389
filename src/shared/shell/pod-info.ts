import type { V1Pod } from '@kubernetes/client-node';
import type { PodInfo } from '../../operator/core/types.js';

/** A pod as the operator's core sees it; the CLI's labelled-client listing reads pods the same way. */
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

function timeOf(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
