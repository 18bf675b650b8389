import type { PodInfo, WorkloadIdentity } from '../types.js';

/**
 * Which pods are Kafka brokers to follow. Two sources, as the chart configures them:
 * Otterize's KafkaServerConfig objects where that CRD exists and has any (the broker is the
 * workload named by `spec.workload`, v2, or `spec.service`, v1, in the object's namespace), and
 * otherwise a label selector from the chart's `kafka.*` values (nothing matches: the watcher
 * follows nothing).
 */
export interface KafkaServerConfigInfo {
  readonly namespace: string;
  readonly name: string;
  readonly workload: { readonly name: string; readonly kind?: string };
}

export interface BrokerSelection {
  readonly serverConfigs?: readonly KafkaServerConfigInfo[];
  /** Equality-based label selector (`app.kubernetes.io/name=kafka,...`); used when there is no KafkaServerConfig. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly namespaces?: readonly string[];
}

export interface BrokerPod {
  readonly namespace: string;
  readonly name: string;
  readonly identity: WorkloadIdentity;
}

/** Reads `a=b,c=d` (also `a==b`); anything else (sets, `!=`) is an error, said clearly. */
export function parseLabelSelector(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([A-Za-z0-9./_-]+)\s*==?\s*([A-Za-z0-9._-]*)$/.exec(part);
    if (!m) throw new Error(`kafka broker selector: '${part}' is not key=value (only equality selectors are supported)`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** The KafkaServerConfig fields the watcher reads, from any served version; undefined when it names no workload. */
export function readKafkaServerConfig(object: unknown): KafkaServerConfigInfo | undefined {
  const o = object as { metadata?: { namespace?: unknown; name?: unknown }; spec?: { workload?: { name?: unknown; kind?: unknown }; service?: { name?: unknown; kind?: unknown } } };
  const namespace = o.metadata?.namespace;
  const name = o.metadata?.name;
  const ref = o.spec?.workload ?? o.spec?.service;
  if (typeof namespace !== 'string' || typeof name !== 'string' || typeof ref?.name !== 'string' || ref.name === '') return undefined;
  return { namespace, name, workload: typeof ref.kind === 'string' && ref.kind !== '' ? { name: ref.name, kind: ref.kind } : { name: ref.name } };
}

/** The running broker pods, sorted, at most `maxBrokers` (the rest are counted by the caller). */
export function selectBrokerPods(pods: Iterable<{ pod: PodInfo; identity: WorkloadIdentity | undefined }>, selection: BrokerSelection): BrokerPod[] {
  const out: BrokerPod[] = [];
  for (const { pod, identity } of pods) {
    if (!identity || pod.end !== undefined || pod.hostNetwork) continue;
    if (selection.namespaces && !selection.namespaces.includes(pod.namespace)) continue;
    if (selection.serverConfigs && selection.serverConfigs.length > 0) {
      const named = selection.serverConfigs.some(
        (c) => c.namespace === pod.namespace && c.workload.name === identity.name && (c.workload.kind === undefined || c.workload.kind === identity.kind),
      );
      if (!named) continue;
    } else {
      const labels = selection.labels;
      if (!labels || Object.keys(labels).length === 0) continue;
      if (!Object.entries(labels).every(([k, v]) => pod.labels[k] === v)) continue;
    }
    out.push({ namespace: pod.namespace, name: pod.name, identity });
  }
  return out.sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1));
}
