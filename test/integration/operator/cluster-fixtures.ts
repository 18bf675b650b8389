import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, KubernetesObjectApi, PatchStrategy, loadAllYaml, setHeaderOptions,
  type KubeConfig, type KubernetesObject, type V1OwnerReference, type V1Pod,
} from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { createLogger } from '../../../src/shared/logger.js';
import type { OperatorSettings } from '../../../src/operator/core/operator-config.js';
import { Manager } from '../../../src/operator/shell/manager.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { installCrds } from '../../support/crds.js';
import { ShiftedClock } from '../../support/test-clock.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * The operators' clock in these tests, and the time observations and records are stamped with:
 * a test that needs hours or seconds to pass (expiry, gone workloads) advances it instead of
 * sleeping. Shared by every suite in the process, so the operators and their input always agree;
 * a leadingOperatorSuite resets it afterwards, since the operator also compares it with the API
 * server's timestamps (a pod's creation) and a shift left over would skew the next suite.
 */
export const fixtureClock = new ShiftedClock();

export { waitFor };

const rbacDir = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'rbac');
export const obsApi = { group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations' };
export const ciApi = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' };
const labels = (app: string): Record<string, string> => ({ app });
const container = [{ name: 'main', image: 'example.invalid/app:1' }];

/** Applies config/rbac/operator-*.yaml with the operator's namespace replaced by `namespace`. */
export async function applyOperatorRbac(admin: KubeConfig, namespace: string): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const file of readdirSync(rbacDir).filter((f) => f.startsWith('operator-')).sort()) {
    const text = readFileSync(join(rbacDir, file), 'utf8').replaceAll('namespace: network-mapper', `namespace: ${namespace}`);
    for (const object of loadAllYaml(text) as KubernetesObject[]) {
      // Cluster-wide objects get the namespace in their name, so two test namespaces can coexist.
      if (object.kind === 'ClusterRoleBinding') object.metadata = { ...object.metadata, name: `${object.metadata?.name}-${namespace}` };
      try {
        await api.create(object);
      } catch (error) {
        if ((error as { code?: number }).code !== 409) throw error;
        await api.replace(object);
      }
    }
  }
}

export function testSettings(namespace: string, identity: string, overrides: Partial<OperatorSettings> = {}): OperatorSettings {
  return {
    observationNamespace: namespace,
    leaseNamespace: namespace,
    leaseName: 'network-mapper-operator',
    identity,
    clusterDomain: 'cluster.local',
    internetTargets: true,
    targetExpiryMs: 0,
    goneWorkloadMs: 0,
    resolvedIpGraceMs: 3_600_000,
    evidenceIntervalMs: 300_000,
    unobservedAfterMs: 0,
    observationRetentionMs: 300_000,
    observationSettleMs: 300,
    ipHistoryMs: 600_000,
    dnsMemoryMs: 3_600_000,
    workers: 4,
    leaderElection: true,
    httpPaths: false,
    fieldManager: 'network-mapper',
    maxTargetsPerClient: 1024,
    ...overrides,
  };
}

export interface RunningOperator {
  readonly operator: Manager;
  readonly registry: Registry;
  stop(): Promise<void>;
}

/**
 * The operators running in this process. A pod a test makes is an input only once an operator's
 * index has it (informer, then the owner walk): `Cluster.pod` and `startLeadingOperator` wait for
 * that, so no test depends on the informer beating an observation's settle time (on a loaded API
 * server it once did not, and a record stayed unresolved).
 */
const inProcessOperators = new Set<Manager>();

export function startOperator(kc: KubeConfig, settings: OperatorSettings): RunningOperator {
  const registry = new Registry();
  const operator = new Manager(kc, settings, registry, createLogger(`operator-${settings.identity}`, process.env.TEST_LOG_LEVEL ?? 'error'), fixtureClock);
  operator.start();
  inProcessOperators.add(operator);
  return {
    operator,
    registry,
    stop: async () => {
      inProcessOperators.delete(operator);
      await operator.stop();
    },
  };
}

/** Waits until every operator of this process that has listed everything holds the pod, with these IPs, in its index. */
export async function untilIndexed(namespace: string, name: string, ips: readonly string[]): Promise<void> {
  for (const operator of inProcessOperators) {
    if (!operator.isReady()) continue;
    await waitFor(`${namespace}/${name} in the operator's index`, () => {
      const indexed = operator.indexedPod(namespace, name);
      return indexed !== undefined && ips.every((ip) => indexed.ips.includes(ip));
    });
  }
}

/**
 * Starts the operator in this process and waits until it has listed everything, leads, and has
 * every pod that exists now in its index (listing is not indexing: the owner walk comes after).
 */
export async function startLeadingOperator(kc: KubeConfig, settings: OperatorSettings): Promise<RunningOperator> {
  const running = startOperator(kc, settings);
  await waitFor(`operator ${settings.identity} ready and leading`, async () => (running.operator.isReady() && running.operator.isLeader ? true : undefined));
  const { items } = await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces();
  for (const pod of items) {
    const ips = (pod.status?.podIPs ?? []).map((p) => p.ip);
    if (ips.length === 0) continue;
    await waitFor(`${pod.metadata!.namespace}/${pod.metadata!.name} in operator ${settings.identity}'s index`, () => running.operator.indexedPod(pod.metadata!.namespace!, pod.metadata!.name!) !== undefined);
  }
  return running;
}

export interface OperatorSuite {
  readonly cluster: Cluster;
  readonly running: RunningOperator;
}

/**
 * For the calling describe: its namespaces on the shared control plane and one leading operator
 * in this process (before), stopped after. The fields are set once `before` has run.
 */
export function leadingOperatorSuite(operatorNamespace: string, appNamespaces: readonly string[], identity: string, overrides: Partial<OperatorSettings> = {}): OperatorSuite {
  const suite: { cluster?: Cluster; running?: RunningOperator } = {};
  before(async () => {
    const { cluster, operatorKc } = await operatorTestCluster(operatorNamespace, appNamespaces);
    suite.cluster = cluster;
    suite.running = await startLeadingOperator(operatorKc, testSettings(operatorNamespace, identity, overrides));
  });
  after(async () => {
    await suite.running?.stop();
    // Back to real time: the next suite's pods carry the API server's (real) timestamps.
    fixtureClock.reset();
  });
  return {
    get cluster() {
      return suite.cluster!;
    },
    get running() {
      return suite.running!;
    },
  };
}

/** Sum of netmap_writes_total for a resource (all verbs). */
export async function writesOf(registry: Registry, resource: string): Promise<number> {
  const metric = await registry.getSingleMetric('netmap_writes_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.resource === resource).reduce((sum, v) => sum + v.value, 0);
}

/** Waits until the operator has marked an observation Processed. */
export async function observationProcessed(cluster: Cluster, namespace: string, name: string): Promise<void> {
  await waitFor(`observation ${name} processed`, async () => {
    const obj = (await cluster.custom.getNamespacedCustomObject({ ...obsApi, namespace, name })) as { status?: { phase?: string } };
    return obj.status?.phase === 'Processed' ? true : undefined;
  });
}

/** Builds workloads on a control plane without controllers: every object is created by hand. */
export class Cluster {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly custom: CustomObjectsApi;

  constructor(readonly admin: KubeConfig) {
    this.core = admin.makeApiClient(CoreV1Api);
    this.apps = admin.makeApiClient(AppsV1Api);
    this.batch = admin.makeApiClient(BatchV1Api);
    this.discovery = admin.makeApiClient(DiscoveryV1Api);
    this.custom = admin.makeApiClient(CustomObjectsApi);
  }

  async namespace(name: string): Promise<void> {
    try {
      await this.core.createNamespace({ body: { metadata: { name } } });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }

  /** Deployment -> ReplicaSet -> Pod with the given IP. */
  async deployment(namespace: string, name: string, ip: string, podAnnotations: Record<string, string> = {}): Promise<V1Pod> {
    const template = { metadata: { labels: labels(name), annotations: podAnnotations }, spec: { containers: container } };
    const deployment = await this.apps.createNamespacedDeployment({ namespace, body: { metadata: { name }, spec: { selector: { matchLabels: labels(name) }, template } } });
    const rs = await this.apps.createNamespacedReplicaSet({
      namespace,
      body: { metadata: { name: `${name}-5d8f7`, ownerReferences: [owner('apps/v1', 'Deployment', name, deployment.metadata!.uid!)] }, spec: { selector: { matchLabels: labels(name) }, template } },
    });
    return this.pod(namespace, `${name}-5d8f7-${ip.replaceAll(/[.:]/g, '')}`, ip, { ownerReferences: [owner('apps/v1', 'ReplicaSet', rs.metadata!.name!, rs.metadata!.uid!)], annotations: podAnnotations, labels: labels(name) });
  }

  async statefulSet(namespace: string, name: string, ip: string): Promise<V1Pod> {
    const template = { metadata: { labels: labels(name) }, spec: { containers: container } };
    const sts = await this.apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name }, spec: { serviceName: name, selector: { matchLabels: labels(name) }, template } } });
    return this.pod(namespace, `${name}-0`, ip, { ownerReferences: [owner('apps/v1', 'StatefulSet', name, sts.metadata!.uid!)], labels: labels(name) });
  }

  /** CronJob -> Job -> Pod. */
  async cronJob(namespace: string, name: string, ip: string): Promise<V1Pod> {
    const podTemplate = { spec: { containers: container, restartPolicy: 'Never' } };
    const cron = await this.batch.createNamespacedCronJob({ namespace, body: { metadata: { name }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate } } } } });
    const job = await this.batch.createNamespacedJob({
      namespace,
      body: { metadata: { name: `${name}-29001`, ownerReferences: [owner('batch/v1', 'CronJob', name, cron.metadata!.uid!)] }, spec: { template: podTemplate } },
    });
    const jobLabels = job.spec?.template?.metadata?.labels ?? {};
    return this.pod(namespace, `${name}-29001-x7k2p`, ip, { ownerReferences: [owner('batch/v1', 'Job', job.metadata!.name!, job.metadata!.uid!)], labels: jobLabels });
  }

  async pod(namespace: string, name: string, ip: string, meta: { ownerReferences?: V1OwnerReference[]; annotations?: Record<string, string>; labels?: Record<string, string> } = {}, hostNetwork = false): Promise<V1Pod> {
    const created = await this.core.createNamespacedPod({ namespace, body: { metadata: { name, ...meta }, spec: { containers: container, nodeName: 'node-a', hostNetwork } } });
    const ips = ip.split(',');
    await this.core.patchNamespacedPodStatus(
      { namespace, name, body: { status: { phase: 'Running', podIP: ips[0], podIPs: ips.map((i) => ({ ip: i })), hostIP: '192.168.50.10' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await untilIndexed(namespace, name, ips);
    return created;
  }

  /** A Service (dual-stack when asked) and one EndpointSlice per family for the given pods. */
  async service(namespace: string, name: string, pods: { name: string; ip: string }[], dualStack = false): Promise<string[]> {
    const svc = await this.core.createNamespacedService({
      namespace,
      body: { metadata: { name }, spec: { ports: [{ port: 80, targetPort: 8080 }], ...(dualStack ? { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] } : {}) } },
    });
    const v4 = pods.filter((p) => !p.ip.includes(':'));
    if (v4.length > 0) {
      await this.discovery.createNamespacedEndpointSlice({
        namespace,
        body: {
          metadata: { name: `${name}-v4`, labels: { 'kubernetes.io/service-name': name } },
          addressType: 'IPv4',
          endpoints: v4.map((p) => ({ addresses: [p.ip], targetRef: { kind: 'Pod', name: p.name, namespace } })),
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      });
    }
    return svc.spec!.clusterIPs!;
  }

  async observation(namespace: string, name: string, spec: Partial<NetworkObservationSpec>): Promise<void> {
    const now = fixtureClock.now();
    const body = {
      apiVersion: 'netmap.dev/v1alpha1',
      kind: 'NetworkObservation',
      metadata: { name, namespace },
      spec: { nodeName: 'node-a', windowStart: new Date(now - 10_000).toISOString(), windowEnd: new Date(now).toISOString(), dnsAnswers: [], connections: [], ...spec },
    };
    await this.custom.createNamespacedCustomObject({ ...obsApi, namespace, body, fieldValidation: 'Strict' });
  }

  async intents(namespace: string, name: string): Promise<ClientIntentsRead | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ ...ciApi, namespace, name })) as ClientIntentsRead;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  async listIntents(namespace?: string): Promise<ClientIntentsRead[]> {
    const list = (namespace ? await this.custom.listNamespacedCustomObject({ ...ciApi, namespace }) : await this.custom.listClusterCustomObject({ ...ciApi })) as { items: ClientIntentsRead[] };
    return list.items;
  }
}

export interface ClientIntentsRead extends KubernetesObject {
  spec: { workload: { name: string; kind?: string }; targets: Record<string, unknown>[] };
  status?: { resolvedIPs?: { dns: string; ips: string[] }[]; upToDate?: boolean };
}

function owner(apiVersion: string, kind: string, name: string, uid: string): V1OwnerReference {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

export function seen(secondsAgo = 0): { firstSeen: string; lastSeen: string; count: number } {
  const at = new Date(fixtureClock.now() - secondsAgo * 1000).toISOString();
  return { firstSeen: at, lastSeen: at, count: 1 };
}

export function connection(clientIP: string, serverIP: string, serverPort: number, sources: ('SYN' | 'SocketScan')[] = ['SYN']): NetworkObservationSpec['connections'][number] {
  return { clientIP, serverIP, serverPort, protocol: 'TCP', sources, ...seen() };
}

export function dnsAnswer(clientIP: string, name: string, ips: string[]): NetworkObservationSpec['dnsAnswers'][number] {
  return { clientIP, name, ips, ttlSeconds: 30, ...seen() };
}

/**
 * The shared control plane with the CRDs, the operator's RBAC in `operatorNamespace`, and the
 * application namespaces: the admin's Cluster helper and the operator ServiceAccount's KubeConfig.
 */
export async function operatorTestCluster(operatorNamespace: string, appNamespaces: readonly string[]): Promise<{ cluster: Cluster; operatorKc: KubeConfig }> {
  const cp = await sharedControlPlane();
  const admin = cp.admin();
  await installCrds(admin);
  const cluster = new Cluster(admin);
  for (const ns of [operatorNamespace, ...appNamespaces]) await cluster.namespace(ns);
  await applyOperatorRbac(admin, operatorNamespace);
  return { cluster, operatorKc: await cp.serviceAccount(operatorNamespace, 'network-mapper-operator') };
}
