import type { LabelSelector } from './label-selector.js';

/** A workload as ClientIntents name it: `name` with dots as underscores; kind absent for an annotation override. */
export interface WorkloadRef {
  readonly namespace: string;
  readonly name: string;
  readonly kind?: string;
}

/** A pod as the planner needs it: its labels and the workload it belongs to (found as the operator finds it). */
export interface PodFacts {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostNetwork: boolean;
  readonly workload: WorkloadRef;
}

/** A workload's own selector, read from its root object (Deployment spec.selector, a CronJob's template labels, ...). */
export interface WorkloadSelector {
  readonly workload: WorkloadRef;
  readonly selector: LabelSelector;
}

/** The workloads whose pods serve a Service (for `service` targets: mixed or unnamed backends). */
export interface ServiceBackends {
  readonly namespace: string;
  readonly name: string;
  readonly workloads: readonly WorkloadRef[];
}

export interface PortRule {
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
}

/** What the shell read from the cluster for a NetworkPolicy export. */
export interface ClusterFacts {
  /** Every pod in the namespaces of the exported clients and servers. */
  readonly pods: readonly PodFacts[];
  readonly selectors: readonly WorkloadSelector[];
  readonly services: readonly ServiceBackends[];
  /** The API server's endpoints (`default/kubernetes` EndpointSlices): addresses and ports. */
  readonly apiServer: { readonly ips: readonly string[]; readonly ports: readonly number[] };
  /** The cluster DNS pods (the `kube-system/kube-dns` Service's selector and pod ports); absent when not found. */
  readonly clusterDns?: { readonly namespace: string; readonly selector: LabelSelector; readonly ports: readonly PortRule[] };
}

export function workloadKey(w: WorkloadRef): string {
  return JSON.stringify([w.namespace, w.name, w.kind ?? null]);
}

export function describeWorkload(w: WorkloadRef): string {
  return `${w.kind ?? 'workload'} ${w.name} in namespace ${w.namespace}`;
}
