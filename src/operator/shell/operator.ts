import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1EndpointSlice, type V1Namespace, type V1Node, type V1Pod, type V1Service } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { clientIntentsDefinition, clientIntentsSpec } from '../../crds/client-intents.js';
import { networkObservationDefinition, networkObservationSpec, type NetworkObservationSpec, type NetworkObservationStatus } from '../../crds/network-observation.js';
import { observationBounds } from '../../crds/bounds.js';
import { errorFields, type Logger } from '../../shared/logger.js';
import { ClusterIndex } from '../core/cluster-index.js';
import { decodeEvidence, evidenceAnnotation } from '../core/evidence.js';
import { BoundedMap } from '../core/bounded-map.js';
import { defaultStoreBounds, IntentsStore, type StoreBounds } from '../core/intents-store.js';
import { resolveObservation } from '../core/observation-resolver.js';
import { planClientIntents, type ExistingIntents } from '../core/plan.js';
import type { PodInfo, WorkloadIdentity } from '../core/types.js';
import { WorkQueue } from '../core/work-queue.js';
import { resolveWorkloadIdentity } from '../core/workload-identity.js';
import type { OperatorSettings } from '../core/operator-config.js';
import { endpointSliceInfo, existingIntents, isManaged, isTerminal, nodeIps, podInfo, serviceInfo, type ClientIntentsObject } from './convert.js';
import { KubeWrites, NotLeaderError } from './kube-writes.js';
import { LeaderElector } from './leader-election.js';
import { createOperatorMetrics, type OperatorMetrics } from './metrics.js';
import { OwnerReader } from './owner-reader.js';
import { pagedList } from './paged-list.js';
import { sharingConnections } from './shared-connections.js';
import { WatchedResource } from './watched-resource.js';

interface ObservationObject extends KubernetesObject {
  spec?: unknown;
  status?: NetworkObservationStatus;
}

const leaseDurationSeconds = 15;
const maintenanceEveryMs = 30_000;
const maxWriteDeferMs = 10_000;
/** An unchanged list of missing targets is reported again at most once a day. */
const eventFingerprintMs = 86_400_000;

/**
 * The operator: informers feed a work queue with keys; workers bring the cluster index, the
 * intents store and the ClientIntents up to date. Only the leader processes observations and
 * writes; every replica keeps its index warm.
 */
export class Operator {
  readonly metrics: OperatorMetrics;
  private readonly queue = new WorkQueue({ setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) }, { baseMs: 200, maxMs: 60_000 });
  private readonly index: ClusterIndex;
  private store: IntentsStore;
  private readonly owners: OwnerReader;
  private readonly writes: KubeWrites;
  private readonly elector: LeaderElector | undefined;
  private readonly resources: WatchedResource<KubernetesObject>[] = [];
  private readonly pods: WatchedResource<V1Pod>;
  private readonly services: WatchedResource<V1Service>;
  private readonly slices: WatchedResource<V1EndpointSlice>;
  private readonly nodes: WatchedResource<V1Node>;
  private readonly namespaces: WatchedResource<V1Namespace>;
  private readonly observations: WatchedResource<ObservationObject>;
  private readonly intents: WatchedResource<ClientIntentsObject>;
  private readonly terminalSince = new Map<string, number>();
  private readonly written = new Map<string, ClientIntentsObject>();
  private readonly objectClient = new Map<string, string>();
  private readonly eventFingerprints: BoundedMap<string>;
  private readonly storeBounds: Partial<StoreBounds>;
  private readonly deferredSince = new Map<string, number>();
  /** Observations waiting for their window to settle: not a backlog that should hold writes back. */
  private readonly settling = new Set<string>();
  private readonly custom: CustomObjectsApi;
  private leading = false;
  private seeded = false;
  private workers: Promise<void>[] = [];
  private maintenance: NodeJS.Timeout | undefined;
  private seedTimer: NodeJS.Timeout | undefined;

  constructor(config: KubeConfig, private readonly settings: OperatorSettings, registry: Registry, private readonly log: Logger) {
    const kc = sharingConnections(config);
    this.metrics = createOperatorMetrics(registry);
    const evicted = (map: string, entries: number): void => this.metrics.evictions.inc({ map }, entries);
    this.index = new ClusterIndex({ clusterDomain: settings.clusterDomain, ipHistoryRetentionMs: settings.ipHistoryMs, onEvict: evicted });
    this.storeBounds = { resolvedIpGraceMs: settings.resolvedIpGraceMs, onEvict: evicted };
    this.store = new IntentsStore(settings.maxTargetsPerClient, this.storeBounds);
    this.eventFingerprints = new BoundedMap(defaultStoreBounds.maxClients, eventFingerprintMs, (entries) => evicted('event-fingerprints', entries));
    this.owners = new OwnerReader(kc, log);
    this.writes = new KubeWrites(kc, settings.fieldManager, this.metrics, 'network-mapper', () => this.leading && (this.elector?.isLeader ?? true));
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const watch = <T extends KubernetesObject>(resource: string, prefix: string, path: string, list: () => Promise<KubernetesListObject<T>>, slim?: (obj: T) => void): WatchedResource<T> => {
      const watched = new WatchedResource<T>(kc, { resource, path, list, log, metrics: this.metrics, slim, onChange: (key) => this.enqueue(`${prefix}/${key}`) });
      this.resources.push(watched as unknown as WatchedResource<KubernetesObject>);
      return watched;
    };
    this.pods = watch('pods', 'pod', '/api/v1/pods', () => pagedList((page) => core.listPodForAllNamespaces(page), 500, slimPod), slimPod);
    this.services = watch('services', 'svc', '/api/v1/services', () => core.listServiceForAllNamespaces());
    this.slices = watch('endpointslices', 'eps', '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces());
    this.nodes = watch('nodes', 'node', '/api/v1/nodes', () => core.listNode());
    this.namespaces = watch('namespaces', 'ns', '/api/v1/namespaces', () => core.listNamespace());
    const obs = networkObservationDefinition;
    const ns = settings.observationNamespace;
    this.observations = watch('networkobservations', 'obs', `/apis/${obs.group}/${obs.version}/namespaces/${ns}/${obs.plural}`, () =>
      pagedList((page) => custom.listNamespacedCustomObject({ group: obs.group, version: obs.version, namespace: ns, plural: obs.plural, ...page }) as Promise<KubernetesListObject<ObservationObject>>, 10, slimObservation),
      slimObservation,
    );
    this.custom = custom;
    const ci = clientIntentsDefinition;
    this.intents = watch('clientintents', 'cio', `/apis/${ci.group}/${ci.version}/${ci.plural}`, () =>
      custom.listClusterCustomObject({ group: ci.group, version: ci.version, plural: ci.plural }) as Promise<KubernetesListObject<ClientIntentsObject>>,
      dropManagedFields,
    );
    if (settings.leaderElection) {
      this.elector = new LeaderElector(
        kc,
        {
          namespace: settings.leaseNamespace,
          name: settings.leaseName,
          identity: settings.identity,
          leaseDurationSeconds,
          retryPeriodMs: 2000,
          onStartedLeading: () => this.setLeading(true),
          onStoppedLeading: () => this.setLeading(false),
        },
        log,
      );
    }
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Ready once every informer has listed its resource. */
  isReady(): boolean {
    return this.resources.every((r) => r.synced);
  }

  start(): void {
    for (const resource of this.resources) resource.start();
    for (let i = 0; i < this.settings.workers; i++) this.workers.push(this.work());
    if (this.elector) this.elector.start();
    else this.setLeading(true);
    this.maintenance = setInterval(() => this.maintain(), maintenanceEveryMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.maintenance);
    clearTimeout(this.seedTimer);
    await this.elector?.stop();
    this.leading = false;
    this.queue.shutdown();
    await Promise.all(this.workers);
    await Promise.all(this.resources.map((r) => r.stop()));
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.metrics.queueDepth.set(this.queue.depth);
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.metrics.leader.set(leading ? 1 : 0);
    this.seeded = false;
    clearTimeout(this.seedTimer);
    if (leading) this.seedWhenSynced();
  }

  /**
   * A new leader starts from what it wrote before (the managed ClientIntents), so unchanged
   * traffic leads to the same objects and no writes; then it takes the observations in.
   */
  private seedWhenSynced(): void {
    if (!this.leading) return;
    if (!this.isReady()) {
      this.seedTimer = setTimeout(() => this.seedWhenSynced(), 100);
      return;
    }
    const now = Date.now();
    const previous = this.store;
    this.store = new IntentsStore(this.settings.maxTargetsPerClient, this.storeBounds);
    for (const object of this.intents.list()) {
      if (!isManaged(object)) continue;
      const spec = clientIntentsSpec.safeParse(object.spec);
      if (!spec.success) {
        this.log.warn('managed ClientIntents has a spec we cannot read; it will be rewritten', { namespace: object.metadata?.namespace, name: object.metadata?.name });
        continue;
      }
      const key = this.store.seed(
        {
          namespace: object.metadata?.namespace ?? '',
          objectName: object.metadata?.name ?? '',
          spec: spec.data,
          evidence: decodeEvidence(object.metadata?.annotations?.[evidenceAnnotation]),
          resolvedIPs: object.status?.resolvedIPs,
        },
        now,
      );
      this.enqueue(`ci/${key}`);
    }
    // Observations processed while leading before are marked Processed and will not come back:
    // what they added but was not written yet must survive losing and regaining the lead.
    for (const key of this.store.adoptMissing(previous)) this.enqueue(`ci/${key}`);
    this.seeded = true;
    this.log.info('state rebuilt from managed ClientIntents', { clients: this.store.clientKeys().length });
    for (const object of this.observations.list()) this.enqueue(`obs/${object.metadata?.namespace}/${object.metadata?.name}`);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.next();
      this.metrics.queueDepth.set(this.queue.depth);
      if (key === undefined) return;
      const kind = key.slice(0, key.indexOf('/'));
      const end = this.metrics.reconcileSeconds.startTimer({ kind });
      try {
        await this.process(kind, key.slice(kind.length + 1));
        this.queue.forget(key);
      } catch (error) {
        const delayMs = this.queue.retry(key);
        if (error instanceof NotLeaderError) this.log.info('write held back: not the leader', { key, delayMs });
        else this.log.warn('processing failed; will retry', { key, delayMs, ...errorFields(error) });
      } finally {
        end();
        this.queue.done(key);
      }
    }
  }

  private async process(kind: string, rest: string): Promise<void> {
    const [first, second] = rest.split('/') as [string, string | undefined];
    switch (kind) {
      case 'pod':
        return this.syncPod(first, second!);
      case 'svc': {
        const svc = this.services.get(first, second!);
        if (svc) this.index.upsertService(serviceInfo(svc));
        else this.index.removeService(first, second!);
        return;
      }
      case 'eps': {
        const slice = this.slices.get(first, second!);
        const info = slice && endpointSliceInfo(slice);
        if (info) this.index.upsertSlice(info);
        else this.index.removeSlice(first, second!);
        return;
      }
      case 'node': {
        const node = this.nodes.get(undefined, first);
        if (node) this.index.setNode(first, nodeIps(node));
        else this.index.removeNode(first);
        return;
      }
      case 'ns':
        if (!this.namespaces.get(undefined, first)) for (const key of this.store.clientKeys()) if (key.startsWith(`${first}/`)) this.store.forget(key);
        return;
      case 'obs':
        return this.syncObservation(first, second!);
      case 'cio':
        return this.syncIntentsObject(first, second!);
      case 'ci':
        return this.syncClient(`${first}/${second}`);
      default:
        this.log.error('unknown work-queue key', { kind, key: rest });
    }
  }

  private async syncPod(namespace: string, name: string): Promise<void> {
    const key = `${namespace}/${name}`;
    const pod = this.pods.get(namespace, name);
    const now = Date.now();
    if (!pod) {
      this.terminalSince.delete(key);
      this.index.removePod(namespace, name, now);
      return;
    }
    let endedAt: number | undefined;
    if (isTerminal(pod)) {
      endedAt = this.terminalSince.get(key) ?? now;
      this.terminalSince.set(key, endedAt);
    }
    const info = podInfo(pod, endedAt);
    this.index.upsertPod(info, await this.identityOf(info), now);
  }

  private async identityOf(pod: PodInfo): Promise<WorkloadIdentity> {
    for (;;) {
      const step = resolveWorkloadIdentity(pod, (ns, ref) => this.owners.cached(ns, ref));
      if (step.status === 'resolved') return step.identity;
      await this.owners.read(step.namespace, step.ref);
    }
  }

  private async syncObservation(namespace: string, name: string): Promise<void> {
    if (!this.leading || !this.seeded) return;
    const object = this.observations.get(namespace, name);
    if (!object) {
      this.settling.delete(`${namespace}/${name}`);
      return;
    }
    const now = Date.now();
    const phase = object.status?.phase;
    if (phase === 'Processed' || phase === 'Invalid') {
      const processedAt = Date.parse(object.status?.processedAt ?? '') || now;
      const deleteAt = processedAt + this.settings.observationRetentionMs;
      if (deleteAt <= now) await this.ignoreNotFound(this.writes.deleteObservation(namespace, name));
      else this.queue.addAfter(`obs/${namespace}/${name}`, deleteAt - now);
      return;
    }
    // The cache keeps no specs (see slimObservation): read this one now, and only this one.
    const full = await this.readObservation(namespace, name);
    if (!full) return;
    const parsed = networkObservationSpec.safeParse(full.spec);
    const problem = parsed.success ? semanticProblem(parsed.data) : parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    if (!parsed.success || problem) {
      const message = `invalid NetworkObservation: ${problem}`.slice(0, observationBounds.messageLength);
      this.log.warn('invalid NetworkObservation', { namespace, name, message });
      this.metrics.observations.inc({ result: 'invalid' });
      await this.writes.setObservationStatus(namespace, name, { phase: 'Invalid', processedAt: new Date(now).toISOString(), message });
      await this.writes
        .event({ apiVersion: `${networkObservationDefinition.group}/${networkObservationDefinition.version}`, kind: 'NetworkObservation', namespace, name, uid: object.metadata?.uid }, 'Warning', 'InvalidObservation', message)
        .catch((error: unknown) => this.log.warn('could not record an event', { namespace, name, ...errorFields(error) }));
      return;
    }
    // The pods a window names exist by the time it ends; the API server's creation time also
    // bounds it, so a sniffer whose clock runs ahead cannot hold an object back.
    const created = object.metadata?.creationTimestamp ? new Date(object.metadata.creationTimestamp as unknown as string).getTime() : now;
    const settleAt = Math.min(Date.parse(parsed.data.windowEnd), created) + this.settings.observationSettleMs;
    if (settleAt > now) {
      this.settling.add(`${namespace}/${name}`);
      this.queue.addAfter(`obs/${namespace}/${name}`, settleAt - now);
      return;
    }
    this.settling.delete(`${namespace}/${name}`);
    const outcome = resolveObservation(parsed.data, this.index, this.store, { internetTargets: this.settings.internetTargets, dnsMemoryMs: this.settings.dnsMemoryMs });
    for (const client of outcome.changedClients) this.enqueue(`ci/${client}`);
    const unresolved = [...outcome.unresolved.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, count]) => ({ reason, count }));
    this.metrics.records.inc({ result: 'resolved' }, outcome.resolved);
    for (const { reason, count } of unresolved) this.metrics.unresolved.inc({ reason }, count);
    this.metrics.records.inc({ result: 'unresolved' }, outcome.records - outcome.resolved);
    await this.writes.setObservationStatus(namespace, name, {
      phase: 'Processed',
      processedAt: new Date(now).toISOString(),
      unresolved: unresolved.slice(0, observationBounds.unresolvedReasons),
    });
    this.metrics.observations.inc({ result: 'processed' });
    this.log.info('observation processed', { namespace, name, records: outcome.records, resolved: outcome.resolved, clients: outcome.changedClients.size });
  }

  private syncIntentsObject(namespace: string, name: string): void {
    const objectKey = `${namespace}/${name}`;
    const object = this.intents.get(namespace, name);
    const written = this.written.get(objectKey);
    if (!object || (written && newer(object.metadata?.resourceVersion, written.metadata?.resourceVersion))) this.written.delete(objectKey);
    const workload = (object?.spec as { workload?: { name?: unknown } } | undefined)?.workload?.name;
    const clientKey = typeof workload === 'string' ? `${namespace}/${workload}` : this.objectClient.get(objectKey);
    if (object && typeof workload === 'string') this.objectClient.set(objectKey, clientKey!);
    if (!object) this.objectClient.delete(objectKey);
    if (clientKey && this.store.has(clientKey)) this.enqueue(`ci/${clientKey}`);
  }

  private async syncClient(clientKey: string): Promise<void> {
    if (!this.leading || !this.seeded) return;
    const desired = this.store.desired(clientKey);
    if (!desired) return;
    if (this.deferForBacklog(clientKey)) return;
    const inNamespace = this.existingIn(desired.namespace);
    const plan = planClientIntents(desired, [...inNamespace.values()].map(existingIntents), { now: Date.now(), evidenceIntervalMs: this.settings.evidenceIntervalMs }, this.eventFingerprints.get(clientKey, Date.now()));
    const fields = { namespace: desired.namespace, name: desired.objectName };
    if (plan.invalid) {
      this.log.error('desired ClientIntents is invalid; not written', { ...fields, problem: plan.invalid });
      return;
    }
    if (plan.apply) {
      const current = inNamespace.get(plan.apply.metadata.name);
      const result = await this.writes.applyIntents(plan.apply, current?.metadata?.resourceVersion);
      this.remember(result);
      this.log.info('ClientIntents applied', { namespace: desired.namespace, name: plan.apply.metadata.name, targets: plan.apply.spec?.targets.length });
    }
    if (plan.applyStatus) {
      this.remember(await this.writes.applyIntentsStatus(plan.applyStatus));
    }
    if (plan.delete) {
      await this.ignoreNotFound(this.writes.deleteIntents(plan.delete.namespace, plan.delete.name));
      this.written.delete(`${plan.delete.namespace}/${plan.delete.name}`);
      this.store.forget(clientKey);
      this.eventFingerprints.delete(clientKey);
      this.log.info('ClientIntents deleted: no targets left (expired, or the workload is gone)', plan.delete);
    }
    if (plan.event) {
      const target = inNamespace.get(plan.event.name);
      await this.writes.event(
        { apiVersion: `${clientIntentsDefinition.group}/${clientIntentsDefinition.version}`, kind: 'ClientIntents', namespace: plan.event.namespace, name: plan.event.name, uid: target?.metadata?.uid },
        'Normal',
        'ObservedTargetsMissing',
        plan.event.message,
      );
      this.eventFingerprints.set(clientKey, plan.event.fingerprint, Date.now());
    }
    if (plan.recheckAfterMs !== undefined) this.queue.addAfter(`ci/${clientKey}`, plan.recheckAfterMs);
  }

  /**
   * While observations wait to be processed, a client's target set is still growing: writing it
   * now would mean writing it again shortly. Hold the write back (bounded, so a stuck backlog
   * cannot stop writes) and write each object once with everything the backlog holds.
   */
  private deferForBacklog(clientKey: string): boolean {
    const now = Date.now();
    const since = this.deferredSince.get(clientKey) ?? now;
    const backlog = this.observations.list().some((o) => o.status?.phase !== 'Processed' && o.status?.phase !== 'Invalid' && !this.settling.has(`${o.metadata?.namespace}/${o.metadata?.name}`));
    if (backlog && now - since < maxWriteDeferMs) {
      this.deferredSince.set(clientKey, since);
      this.queue.addAfter(`ci/${clientKey}`, 200);
      return true;
    }
    this.deferredSince.delete(clientKey);
    return false;
  }

  /** ClientIntents of a namespace as the informer has them, or as our last write returned them if newer. */
  private existingIn(namespace: string): Map<string, ClientIntentsObject> {
    const byName = new Map<string, ClientIntentsObject>();
    for (const object of this.intents.list(namespace)) byName.set(object.metadata?.name ?? '', object);
    for (const [key, object] of this.written) {
      if (object.metadata?.namespace !== namespace) continue;
      const cached = byName.get(object.metadata?.name ?? '');
      if (!cached || newer(object.metadata?.resourceVersion, cached.metadata?.resourceVersion)) byName.set(object.metadata?.name ?? '', object);
      else this.written.delete(key);
    }
    return byName;
  }

  private remember(object: ClientIntentsObject): void {
    dropManagedFields(object);
    this.written.set(`${object.metadata?.namespace}/${object.metadata?.name}`, object);
  }

  private maintain(): void {
    const now = Date.now();
    this.index.prune(now);
    this.eventFingerprints.prune(now);
    if (this.leading && this.seeded) {
      const expired = this.store.expire(now, this.settings.targetExpiryMs);
      const gone = this.store.expireGone(now, this.settings.goneWorkloadMs, this.index.workloads());
      for (const key of new Set([...expired, ...gone, ...this.store.buried()])) this.enqueue(`ci/${key}`);
    }
  }

  private async readObservation(namespace: string, name: string): Promise<ObservationObject | undefined> {
    const obs = networkObservationDefinition;
    try {
      return (await this.custom.getNamespacedCustomObject({ group: obs.group, version: obs.version, plural: obs.plural, namespace, name })) as ObservationObject;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  private async ignoreNotFound(write: Promise<void>): Promise<void> {
    try {
      await write;
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
    }
  }

  /** For tests and diagnostics. */
  existingIntentsFor(namespace: string): ExistingIntents[] {
    return [...this.existingIn(namespace).values()].map(existingIntents);
  }

  /** Runs the periodic maintenance now (expiry, pruning); for tests. */
  maintainNow(): void {
    this.maintain();
  }
}

/** Pods: what podInfo reads, nothing else. */
function slimPod(pod: V1Pod): void {
  if (pod.metadata) delete pod.metadata.managedFields;
  if (pod.spec) pod.spec = { containers: [], hostNetwork: pod.spec.hostNetwork, nodeName: pod.spec.nodeName };
  if (pod.status) pod.status = { phase: pod.status.phase, podIP: pod.status.podIP, podIPs: pod.status.podIPs };
}

/** Observations: metadata and status; the spec is read when the object is processed. */
function slimObservation(object: ObservationObject): void {
  delete object.spec;
  if (object.metadata) delete object.metadata.managedFields;
}

function dropManagedFields(object: KubernetesObject): void {
  if (object.metadata) delete object.metadata.managedFields;
}

/** Checks the schema cannot express: windows and records that end before they start. */
function semanticProblem(spec: NetworkObservationSpec): string | undefined {
  if (Date.parse(spec.windowEnd) < Date.parse(spec.windowStart)) return 'windowEnd is before windowStart';
  const bad = [...spec.dnsAnswers, ...spec.connections].findIndex((r) => Date.parse(r.lastSeen) < Date.parse(r.firstSeen));
  if (bad >= 0) return `record ${bad}: lastSeen is before firstSeen`;
  return undefined;
}

/** resourceVersions are opaque, but etcd's are integers: compare them as such when they are. */
function newer(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}
