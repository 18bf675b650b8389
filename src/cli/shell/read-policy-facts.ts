import { CoreV1Api, DiscoveryV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { createLogger, errorFields } from '../../shared/logger.js';
import { intentsName } from '../../operator/core/names.js';
import { podPortsForServicePort } from '../../operator/core/service-ports.js';
import { ownerKey, resolveWorkloadIdentity, type OwnerLookup } from '../../operator/core/workload-identity.js';
import { podInfo } from '../../shared/shell/pod-info.js';
import { endpointSliceInfo, serviceInfo } from '../../shared/shell/service-info.js';
import { OwnerReader } from '../../shared/shell/owner-reader.js';
import { classifyError, connectionProblem, type RequestContext } from '../core/classify-error.js';
import { CliError } from '../core/exit-codes.js';
import type { LabelSelector } from '../core/network-policy/label-selector.js';
import type { ObservedEdge } from '../core/network-policy/observed-edges.js';
import { workloadKey, type ClusterFacts, type PodFacts, type ServiceBackends, type WorkloadRef, type WorkloadSelector } from '../core/network-policy/policy-facts.js';
import { withTimeout } from './with-timeout.js';

/** Where a root owner's API lives, for reading its selector. Other kinds fall back to their pods' shared labels. */
const selectorKinds: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

const clusterDns = { namespace: 'kube-system', name: 'kube-dns' } as const;

/**
 * Reads what the NetworkPolicy planner needs: the pods of every namespace the edges touch, with
 * their workloads (found as the operator finds them), each workload's own selector, the
 * workloads behind `service` targets, the API server's endpoints and the cluster DNS pods.
 * Reads: list pods, services and endpointslices in those namespaces; get on the owner kinds.
 */
export async function readPolicyFacts(kc: KubeConfig, edges: readonly ObservedEdge[], timeoutSeconds: number): Promise<ClusterFacts> {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const owners = new OwnerReader(kc, createLogger('kubectl-netmap', 'warn'));
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const call = async <T>(context: Omit<RequestContext, 'server'>, request: () => Promise<T>): Promise<T> => {
    const full: RequestContext = { server, ...context };
    try {
      return await withTimeout(request(), full, timeoutSeconds);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw classifyError(errorFields(error), connectionProblem(error), full);
    }
  };
  /** A read whose object may be missing (404) or, for `forbiddenOk`, not ours to read (403): undefined then. */
  const optional = async <T>(context: Omit<RequestContext, 'server'>, request: () => Promise<T>, forbiddenOk = false): Promise<T | undefined> => {
    const full: RequestContext = { server, ...context };
    try {
      return await withTimeout(request(), full, timeoutSeconds);
    } catch (error) {
      if (error instanceof CliError) throw error;
      const code = (error as { code?: unknown }).code;
      if (code === 404 || (forbiddenOk && code === 403)) return undefined;
      throw classifyError(errorFields(error), connectionProblem(error), full);
    }
  };

  const namespaces = new Set<string>();
  for (const edge of edges) {
    namespaces.add(edge.client.namespace);
    if (edge.server.type === 'workload') namespaces.add(edge.server.workload.namespace);
    if (edge.server.type === 'service') namespaces.add(edge.server.namespace);
  }

  const pods: PodFacts[] = [];
  const rawPods: { pod: V1Pod; workload: WorkloadRef }[] = [];
  for (const namespace of [...namespaces].sort()) {
    let _continue: string | undefined;
    do {
      const list = await call({ verb: 'list', resource: 'pods', namespace }, () => core.listNamespacedPod({ namespace, limit: 500, ...(_continue ? { _continue } : {}) }));
      for (const pod of list.items) {
        const phase = pod.status?.phase;
        if (phase === 'Succeeded' || phase === 'Failed') continue;
        const workload = await workloadOf(pod, owners);
        rawPods.push({ pod, workload });
        pods.push({ namespace, name: pod.metadata?.name ?? '', labels: pod.metadata?.labels ?? {}, hostNetwork: pod.spec?.hostNetwork === true, workload });
      }
      _continue = list.metadata?._continue || undefined;
    } while (_continue);
  }

  // Each workload's own selector: from its root object, for workloads with pods and for targets without any (a CronJob between runs).
  const workloads = new Map<string, WorkloadRef>();
  for (const p of pods) workloads.set(workloadKey(p.workload), p.workload);
  for (const edge of edges) {
    workloads.set(workloadKey(edge.client), edge.client);
    if (edge.server.type === 'workload') workloads.set(workloadKey(edge.server.workload), edge.server.workload);
  }
  const selectors: WorkloadSelector[] = [];
  for (const workload of workloads.values()) {
    const apiVersion = workload.kind ? selectorKinds[workload.kind] : undefined;
    if (!apiVersion) continue;
    const context = { verb: 'get', resource: `${workload.kind!.toLowerCase()}s`, namespace: workload.namespace };
    // A root object that is gone or not ours to read: its pods' shared labels speak for it.
    const object = await optional(context, () => objects.read<KubernetesObject & { spec?: unknown }>({ apiVersion, kind: workload.kind!, metadata: { name: workload.name, namespace: workload.namespace } }), true);
    const selector = object ? selectorOf(workload.kind!, object.spec) : undefined;
    if (selector) selectors.push({ workload, selector });
  }

  const services: ServiceBackends[] = [];
  const serviceTargets = new Map<string, { namespace: string; name: string }>();
  for (const { server: target } of edges) if (target.type === 'service') serviceTargets.set(`${target.namespace}/${target.name}`, target);
  for (const { namespace, name } of serviceTargets.values()) {
    const service = await optional({ verb: 'get', resource: 'services', namespace }, () => core.readNamespacedService({ namespace, name }));
    const selector = service?.spec?.selector;
    const behind = new Map<string, WorkloadRef>();
    if (selector && Object.keys(selector).length > 0) {
      for (const { pod, workload } of rawPods) {
        if (pod.metadata?.namespace === namespace && Object.entries(selector).every(([k, v]) => pod.metadata?.labels?.[k] === v)) behind.set(workloadKey(workload), workload);
      }
    }
    services.push({ namespace, name, workloads: [...behind.values()] });
  }

  const sliceList = async (namespace: string, serviceName: string) =>
    (await call({ verb: 'list', resource: 'endpointslices.discovery.k8s.io', namespace }, () => discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${serviceName}` }))).items;

  const apiSlices = edges.some((e) => e.server.type === 'api-server') ? await sliceList('default', 'kubernetes') : [];
  const apiServer = {
    ips: [...new Set(apiSlices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses)))].sort(),
    ports: [...new Set(apiSlices.flatMap((s) => (s.ports ?? []).flatMap((p) => (p.port === undefined ? [] : [p.port]))))].sort((a, b) => a - b),
  };

  const dnsService = await optional({ verb: 'get', resource: 'services', namespace: clusterDns.namespace }, () => core.readNamespacedService(clusterDns), true);
  let dns: ClusterFacts['clusterDns'];
  const dnsSelector = dnsService?.spec?.selector;
  if (dnsService && dnsSelector && Object.keys(dnsSelector).length > 0) {
    const info = serviceInfo(dnsService);
    const slices = (await sliceList(clusterDns.namespace, clusterDns.name)).flatMap((s) => endpointSliceInfo(s) ?? []);
    const ports = (info.portSpecs ?? []).flatMap((p) => {
      const protocol = p.protocol === 'UDP' ? 'UDP' : p.protocol === 'TCP' || p.protocol === undefined ? 'TCP' : undefined;
      return protocol ? podPortsForServicePort(info, slices, p.port, protocol).map((port) => ({ protocol, port }) as const) : [];
    });
    if (ports.length > 0) dns = { namespace: clusterDns.namespace, selector: { matchLabels: dnsSelector }, ports };
  }

  return { pods, selectors, services, apiServer, ...(dns ? { clusterDns: dns } : {}) };
}

/** A root object's own pod selector; a CronJob has none, its Job template's pod labels stand in. */
function selectorOf(kind: string, spec: unknown): LabelSelector | undefined {
  const s = (spec ?? {}) as { selector?: LabelSelector; jobTemplate?: { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } } };
  if (kind === 'CronJob') {
    const labels = s.jobTemplate?.spec?.template?.metadata?.labels;
    return labels && Object.keys(labels).length > 0 ? { matchLabels: labels } : undefined;
  }
  if (!s.selector) return undefined;
  return {
    ...(s.selector.matchLabels ? { matchLabels: s.selector.matchLabels } : {}),
    ...(s.selector.matchExpressions ? { matchExpressions: s.selector.matchExpressions } : {}),
  };
}

/** The pod's workload as ClientIntents name it; each step reads one more owner. */
async function workloadOf(pod: V1Pod, owners: OwnerReader): Promise<WorkloadRef> {
  const info = podInfo(pod, undefined);
  const read = new Map<string, OwnerLookup>();
  for (;;) {
    const step = resolveWorkloadIdentity(info, (namespace, ref) => read.get(ownerKey(namespace, ref)));
    if (step.status === 'resolved') {
      const { namespace, name, kind } = step.identity;
      return kind ? { namespace, name: intentsName(name), kind } : { namespace, name: intentsName(name) };
    }
    read.set(ownerKey(step.namespace, step.ref), await owners.read(step.namespace, step.ref));
  }
}
