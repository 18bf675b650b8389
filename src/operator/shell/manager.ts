import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1EndpointSlice, type V1Namespace, type V1Node, type V1Pod, type V1Service } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { clientIntentsDefinition, clientIntentsSpec } from '../../crds/client-intents.js';
import { networkObservationDefinition } from '../../crds/network-observation.js';
import { errorFields, type Logger } from '../../shared/logger.js';
import { ClusterIndex } from '../core/cluster-index.js';
import { decodeEvidence, evidenceAnnotation } from '../core/evidence.js';
import { httpOverflowAnnotation } from '../core/http-intents.js';
import { defaultLeaseTimings } from '../core/lease-decision.js';
import type { ExistingIntents } from '../core/plan.js';
import { nameId, objectId, type ClientRequest, type NameRequest, type ObjectRequest, type Reconciler } from '../core/reconcile.js';
import type { OperatorSettings } from '../core/operator-config.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { systemClock } from '../../shared/shell/system-clock.js';
import { Controller } from './controller.js';
import { ClientIntentsReconciler, clientId, clientOfIntents } from './controllers/client-intents-reconciler.js';
import { EndpointSliceReconciler } from './controllers/endpointslice-reconciler.js';
import { NamespaceReconciler } from './controllers/namespace-reconciler.js';
import { GoneNamespaces } from '../core/gone-namespaces.js';
import { NodeReconciler } from './controllers/node-reconciler.js';
import { ObservationReconciler, type ObservationObject } from './controllers/observation-reconciler.js';
import { PodReconciler } from './controllers/pod-reconciler.js';
import { ServiceReconciler } from './controllers/service-reconciler.js';
import { isManaged, type ClientIntentsObject } from './convert.js';
import { KubeWrites } from './kube-writes.js';
import { LeaderElector } from './leader-election.js';
import { KafkaIntegration } from './kafka/kafka-integration.js';
import { LeaderState } from '../core/leader-state.js';
import { createOperatorMetrics, type OperatorMetrics } from './metrics.js';
import { OwnerReader } from '../../shared/shell/owner-reader.js';
import { pagedList } from './paged-list.js';
import { endpointSliceReadFields, intentsReadFields, namespaceReadFields, nodeReadFields, observationReadFields, podReadFields, serviceReadFields, slimObservation, slimPod, dropManagedFields } from './read-fields.js';
import { sharingConnections } from './shared-connections.js';
import { WatchedResource } from './watched-resource.js';

const maintenanceEveryMs = 30_000;
/** How long start-up waits for every informer's first list before it says so in the log. */
const cacheSyncTimeoutMs = 120_000;
/** On SIGTERM, how long the leader may spend writing what it has resolved before it lets go. */
const flushTimeoutMs = 10_000;

/**
 * The operator, controller-runtime style: informers feed one controller (queue + reconciler)
 * per concern. Start order: informers, their first lists, the index controllers (every
 * replica), the leader elector, then the leader-only observation and client-intents controllers.
 * The health server is started before, by run-operator.ts.
 */
export class Manager {
  readonly metrics: OperatorMetrics;
  private readonly index: ClusterIndex;
  private readonly state: LeaderState;
  private readonly gone: GoneNamespaces;
  private readonly writes: KubeWrites;
  private readonly elector: LeaderElector | undefined;
  /** The Kafka watcher (leader only; docs/kafka.md). */
  readonly kafka: KafkaIntegration | undefined;
  private readonly resources: WatchedResource<KubernetesObject>[] = [];
  private readonly intents: WatchedResource<ClientIntentsObject>;
  private readonly observations: WatchedResource<ObservationObject>;
  private readonly indexControllers: Controller<never>[] = [];
  private readonly observationController: Controller<ObjectRequest>;
  private readonly clientController: Controller<ClientRequest>;
  private readonly observationReconciler: ObservationReconciler;
  private readonly clientReconciler: ClientIntentsReconciler;
  private maintenance: TimerHandle | undefined;
  private stopped = false;
  private started: Promise<void> = Promise.resolve();
  private readonly stopRequested: Promise<void>;
  private requestStop: () => void = () => undefined;

  /**
   * `clock`: the one source of time and timers for the controllers, reconcilers, stores and
   * maintenance (tests move it instead of sleeping). The leader elector keeps the system clock:
   * a lease is timed against other replicas in real time.
   */
  constructor(config: KubeConfig, private readonly settings: OperatorSettings, registry: Registry, private readonly log: Logger, private readonly clock: Clock = systemClock) {
    this.stopRequested = new Promise((resolve) => (this.requestStop = resolve));
    const kc = sharingConnections(config);
    const metrics = (this.metrics = createOperatorMetrics(registry));
    const evicted = (map: string, entries: number): void => metrics.evictions.inc({ map }, entries);
    this.index = new ClusterIndex({ clusterDomain: settings.clusterDomain, ipHistoryRetentionMs: settings.ipHistoryMs, onEvict: evicted });
    this.state = new LeaderState(settings.maxTargetsPerClient, { resolvedIpGraceMs: settings.resolvedIpGraceMs, onEvict: evicted }, { onEvict: (entries) => evicted('http-paths', entries) });
    this.gone = new GoneNamespaces(settings.ipHistoryMs);
    this.writes = new KubeWrites(kc, settings.fieldManager, metrics, 'network-mapper', () => this.state.leading && (this.elector?.isLeader ?? true));
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const watch = <T extends KubernetesObject>(resource: string, path: string, list: () => Promise<KubernetesListObject<T>>, readFields: (obj: T) => unknown, onEvent: (type: 'add' | 'update' | 'delete', obj: T) => void, slim?: (obj: T) => void): WatchedResource<T> => {
      const watched = new WatchedResource<T>(kc, { resource, path, list, log, metrics, slim, readFields, onEvent });
      this.resources.push(watched as unknown as WatchedResource<KubernetesObject>);
      return watched;
    };
    const controller = <R>(name: string, reconciler: Reconciler<R>, idOf: (r: R) => string, workers: number): Controller<R> => new Controller<R>({ name, reconciler, idOf, workers, log, metrics, clock });
    const indexController = <R>(name: string, reconciler: Reconciler<R>, idOf: (r: R) => string): Controller<R> => {
      const c = controller(name, reconciler, idOf, Math.max(1, Math.ceil(settings.workers / 2)));
      this.indexControllers.push(c as unknown as Controller<never>);
      return c;
    };
    const byObject = (c: () => Controller<ObjectRequest>) => (_type: string, obj: KubernetesObject): void => c().enqueue({ namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
    const byName = (c: () => Controller<NameRequest>) => (_type: string, obj: KubernetesObject): void => c().enqueue({ name: obj.metadata?.name ?? '' });

    const pods: WatchedResource<V1Pod> = watch<V1Pod>('pods', '/api/v1/pods', () => pagedList((page) => core.listPodForAllNamespaces(page), 500, slimPod), podReadFields, byObject(() => podController), slimPod);
    const services: WatchedResource<V1Service> = watch<V1Service>('services', '/api/v1/services', () => core.listServiceForAllNamespaces(), serviceReadFields, byObject(() => serviceController), dropManagedFields);
    const slices: WatchedResource<V1EndpointSlice> = watch<V1EndpointSlice>('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces(), endpointSliceReadFields, byObject(() => sliceController), dropManagedFields);
    const nodes: WatchedResource<V1Node> = watch<V1Node>('nodes', '/api/v1/nodes', () => core.listNode(), nodeReadFields, byName(() => nodeController), dropManagedFields);
    const namespaces: WatchedResource<V1Namespace> = watch<V1Namespace>('namespaces', '/api/v1/namespaces', () => core.listNamespace(), namespaceReadFields, byName(() => namespaceController), dropManagedFields);
    const obs = networkObservationDefinition;
    const ns = settings.observationNamespace;
    this.observations = watch<ObservationObject>(
      'networkobservations',
      `/apis/${obs.group}/${obs.version}/namespaces/${ns}/${obs.plural}`,
      () => pagedList((page) => custom.listNamespacedCustomObject({ group: obs.group, version: obs.version, namespace: ns, plural: obs.plural, ...page }) as Promise<KubernetesListObject<ObservationObject>>, 10, slimObservation),
      observationReadFields,
      (type, object) => this.onObservation(type, object),
      slimObservation,
    );
    const ci = clientIntentsDefinition;
    this.intents = watch<ClientIntentsObject>(
      'clientintents',
      `/apis/${ci.group}/${ci.version}/${ci.plural}`,
      () => custom.listClusterCustomObject({ group: ci.group, version: ci.version, plural: ci.plural }) as Promise<KubernetesListObject<ClientIntentsObject>>,
      intentsReadFields,
      (type, object) => this.onIntents(type, object),
      dropManagedFields,
    );

    const podController: Controller<ObjectRequest> = indexController('pod', new PodReconciler(pods, this.index, new OwnerReader(kc, log, () => clock.now()), clock), objectId);
    const serviceController: Controller<ObjectRequest> = indexController('service', new ServiceReconciler(services, this.index), objectId);
    const sliceController: Controller<ObjectRequest> = indexController('endpointslice', new EndpointSliceReconciler(slices, this.index), objectId);
    const nodeController: Controller<NameRequest> = indexController('node', new NodeReconciler(nodes, this.index), nameId);
    const namespaceController: Controller<NameRequest> = indexController('namespace', new NamespaceReconciler(namespaces, this.gone, (name) => this.onNamespaceGone(name), clock), nameId);

    const enqueueClients = (keys: readonly string[]): void => this.enqueueClients(keys);
    this.observationReconciler = new ObservationReconciler({ state: this.state, observations: this.observations, custom, writes: this.writes, index: this.index, settings, metrics, log, clock, enqueueClients });
    this.clientReconciler = new ClientIntentsReconciler({
      state: this.state,
      intents: this.intents,
      writes: this.writes,
      gone: this.gone,
      settings,
      log,
      clock,
      enqueueClients,
      delivered: (ids) => this.enqueueDelivered(ids),
      onEvict: (entries) => evicted('event-fingerprints', entries),
    });
    this.observationController = controller('observation', this.observationReconciler, objectId, settings.workers);
    this.clientController = controller('client-intents', this.clientReconciler, clientId, settings.workers);

    if (settings.kafka) {
      const kafka = { ...settings.kafka, namespace: settings.observationNamespace, syncEveryMs: 10_000 };
      this.kafka = new KafkaIntegration(kc, this.index, () => this.state.store, () => this.state.active && !this.state.draining, (keys) => this.enqueueClients(keys), kafka, registry, log);
    }

    if (settings.leaderElection) {
      this.elector = new LeaderElector(
        kc,
        { namespace: settings.leaseNamespace, name: settings.leaseName, identity: settings.identity, timings: defaultLeaseTimings, onStartedLeading: () => this.setLeading(true), onStoppedLeading: () => this.setLeading(false) },
        log,
      );
    }
  }

  get isLeader(): boolean {
    return this.state.leading;
  }

  /** Ready once every informer has listed its resource. */
  isReady(): boolean {
    return this.resources.every((r) => r.synced);
  }

  start(): void {
    this.started = this.run();
  }

  private async run(): Promise<void> {
    for (const resource of this.resources) resource.start();
    const synced = Promise.all(this.resources.map((r) => r.whenSynced()));
    const slow = this.clock.setTimeout(() => this.log.error('informers have not listed everything yet; still waiting', { timeoutMs: cacheSyncTimeoutMs, waitingFor: this.resources.filter((r) => !r.synced).map((r) => r.resource) }), cacheSyncTimeoutMs);
    // Stopping before every informer has listed (a CRD still missing) must not wait for them.
    await Promise.race([synced, this.stopRequested]);
    this.clock.clearTimeout(slow);
    if (this.stopped) return;
    for (const c of this.indexControllers) c.start();
    if (this.elector) this.elector.start();
    else this.setLeading(true);
    this.observationController.start();
    this.clientController.start();
    this.scheduleMaintenance();
  }

  /**
   * A leader first writes what it has resolved (nothing is held back any more, no new
   * observation is taken in), for at most flushTimeoutMs, then releases the Lease.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.requestStop();
    await this.started.catch(() => undefined);
    if (this.maintenance !== undefined) this.clock.clearTimeout(this.maintenance);
    // Its last lines go into the store before the flush writes them.
    await this.kafka?.stop();
    if (this.state.active) await this.flush();
    await this.elector?.stop();
    this.setLeading(false);
    await Promise.all([this.observationController.stop(), this.clientController.stop(), ...this.indexControllers.map((c) => c.stop())]);
    await Promise.all(this.resources.map((r) => r.stop()));
  }

  private async flush(): Promise<void> {
    this.state.draining = true;
    this.enqueueClients(this.state.gate.flush());
    const deadline = this.clock.now() + flushTimeoutMs;
    while (this.clock.now() < deadline && (this.state.delivery.size > 0 || !this.clientController.idle || !this.observationController.idle)) await new Promise((r) => this.clock.setTimeout(() => r(undefined), 50));
    this.log.info('flushed before releasing the lease', { undelivered: this.state.delivery.size });
  }

  /** Store keys -> client requests on the client-intents controller. */
  private enqueueClients(keys: Iterable<string>): void {
    for (const key of keys) {
      const request = this.state.store.requestOf(key);
      if (request) this.clientController.enqueue(request);
      // Gone from the store meanwhile (expired, evicted): nothing of it is left to write.
      else this.enqueueDelivered(this.state.delivery.written(key));
    }
  }

  /** Observations whose every changed client is written: the observation controller marks them. */
  private enqueueDelivered(ids: readonly string[]): void {
    for (const id of ids) {
      const [namespace, name] = JSON.parse(id) as [string, string];
      this.observationController.enqueue({ namespace, name });
    }
  }

  private onObservation(type: 'add' | 'update' | 'delete', object: ObservationObject): void {
    const request = { namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
    const waiting = type !== 'delete' && this.observationReconciler.waiting(object);
    this.enqueueClients(this.state.gate.setWaiting(objectId(request), waiting));
    this.metrics.observationsWaiting.set(this.state.gate.waitingCount);
    this.observationController.enqueue(request);
  }

  private onIntents(type: 'add' | 'update' | 'delete', object: ClientIntentsObject): void {
    this.clientReconciler.observed(object, type === 'delete');
    const client = clientOfIntents(object);
    if (client && this.state.store.has(clientId(client))) this.clientController.enqueue(client);
  }

  /** Everything resolved for a gone namespace goes; clients elsewhere drop targets into it. */
  private onNamespaceGone(namespace: string): void {
    this.enqueueClients(this.state.store.clientKeys());
    this.log.info('namespace gone: nothing more is written into it', { namespace });
  }

  private setLeading(leading: boolean): void {
    if (leading === this.state.leading) return;
    this.state.leading = leading;
    this.state.seeded = false;
    this.metrics.leader.set(leading ? 1 : 0);
    this.state.gate.dropHeld();
    this.state.delivery.clear();
    this.observationReconciler.reset();
    this.clientReconciler.reset();
    if (leading) this.seed();
    if (leading) void this.kafka?.start().catch((error: unknown) => this.log.error('kafka watcher did not start', errorFields(error)));
    else void this.kafka?.stop();
  }

  /**
   * A new leader starts from what it wrote before (the managed ClientIntents), so unchanged
   * traffic leads to the same objects and no writes; then it takes the observations in. The
   * informers have listed by now: the elector starts only after their first lists.
   */
  private seed(): void {
    const now = this.clock.now();
    const previous = this.state.store;
    const store = this.state.emptyStore();
    const previousHttp = this.state.http;
    const http = this.state.emptyHttp();
    const seeded: string[] = [];
    for (const object of this.intents.list()) {
      if (!isManaged(object)) continue;
      const spec = clientIntentsSpec.safeParse(object.spec);
      if (!spec.success) {
        this.log.warn('managed ClientIntents has a spec we cannot read; it will be rewritten', { namespace: object.metadata?.namespace, name: object.metadata?.name });
        continue;
      }
      const evidence = decodeEvidence(object.metadata?.annotations?.[evidenceAnnotation]);
      const key = store.seed(
        { namespace: object.metadata?.namespace ?? '', objectName: object.metadata?.name ?? '', spec: spec.data, evidence, resolvedIPs: object.status?.resolvedIPs },
        now,
      );
      http.seed(key, spec.data, (target) => evidence.get(target)?.lastSeen ?? now, object.metadata?.annotations?.[httpOverflowAnnotation]);
      seeded.push(key);
    }
    // What this replica resolved when it led before but had not written yet.
    seeded.push(...store.adoptMissing(previous));
    http.adoptMissing(previousHttp);
    this.state.store = store;
    this.state.http = http;
    this.state.seeded = true;
    this.log.info('state rebuilt from managed ClientIntents', { clients: store.clientKeys().length });
    this.enqueueClients(seeded);
    for (const object of this.observations.list()) this.observationController.enqueue({ namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' });
  }

  private scheduleMaintenance(): void {
    this.maintenance = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.maintain();
      this.scheduleMaintenance();
    }, maintenanceEveryMs);
  }

  private maintain(): void {
    const now = this.clock.now();
    this.index.prune(now);
    this.gone.prune(now);
    this.clientReconciler.prune(now);
    if (this.state.active) {
      const store = this.state.store;
      const expired = [...store.expire(now, this.settings.targetExpiryMs), ...this.state.http.expire(now, this.settings.targetExpiryMs)];
      const gone = store.expireGone(now, this.settings.goneWorkloadMs, this.index.workloads());
      // Buried clients (gone, or beyond the bound) until their ClientIntents is deleted.
      this.enqueueClients(new Set([...expired, ...gone, ...store.buried()]));
    }
  }

  /** For tests and diagnostics. */
  existingIntentsFor(namespace: string): ExistingIntents[] {
    return this.clientReconciler.existingIntentsFor(namespace);
  }

  /** Runs the periodic maintenance now (expiry, gone workloads, pruning); for tests. */
  maintainNow(): void {
    this.maintain();
  }
}
