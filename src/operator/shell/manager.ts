import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/logger.js';
import { OwnerReader } from '../../shared/shell/owner-reader.js';
import { systemClock } from '../../shared/shell/system-clock.js';
import type { Clock } from '../../shared/core/clock.js';
import { ClusterIndex } from '../core/cluster-index.js';
import { waitUntilDrained } from '../core/drain.js';
import { GoneNamespaces } from '../core/gone-namespaces.js';
import { LeaderState } from '../core/leader-state.js';
import { defaultLeaseTimings } from '../core/lease-decision.js';
import type { OperatorSettings } from '../core/operator-config.js';
import type { ExistingIntents } from '../core/plan.js';
import { nameId, objectId, type ClientRequest, type NameRequest, type ObjectRequest, type Reconciler } from '../core/reconcile.js';
import { Controller } from './controller.js';
import { ClientIntentsReconciler, clientId } from './controllers/client-intents-reconciler.js';
import { EndpointSliceReconciler } from './controllers/endpointslice-reconciler.js';
import { NamespaceReconciler } from './controllers/namespace-reconciler.js';
import { NodeReconciler } from './controllers/node-reconciler.js';
import { ObservationReconciler, type ObservationObject } from './controllers/observation-reconciler.js';
import { PodReconciler } from './controllers/pod-reconciler.js';
import { ServiceReconciler } from './controllers/service-reconciler.js';
import type { ClientIntentsObject } from './convert.js';
import { EventRouting } from './event-routing.js';
import { makeInformers } from './informers.js';
import { KubeWrites } from './kube-writes.js';
import { LeaderElector } from './leader-election.js';
import { KafkaIntegration } from './kafka/kafka-integration.js';
import { Leadership } from './leadership.js';
import { Maintenance } from './maintenance.js';
import { createOperatorMetrics, type OperatorMetrics } from './metrics.js';
import { DriftReportWriter } from './drift-report-writer.js';
import { operatorDefaults } from '../core/operator-defaults.js';
import { sharingConnections } from './shared-connections.js';
import type { WatchedResource } from './watched-resource.js';

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
  /** The drift ConfigMap (core/drift-report.ts). */
  private readonly driftReport: DriftReportWriter;
  private readonly index: ClusterIndex;
  private readonly state: LeaderState;
  private readonly gone: GoneNamespaces;
  private readonly writes: KubeWrites;
  private readonly elector: LeaderElector | undefined;
  /** The Kafka watcher (leader only; docs/kafka.md). */
  readonly kafka: KafkaIntegration | undefined;
  private readonly resources: readonly WatchedResource<KubernetesObject>[];
  private readonly intents: WatchedResource<ClientIntentsObject>;
  private readonly observations: WatchedResource<ObservationObject>;
  private readonly indexControllers: Controller<never>[] = [];
  private readonly observationController: Controller<ObjectRequest>;
  private readonly clientController: Controller<ClientRequest>;
  private readonly observationReconciler: ObservationReconciler;
  private readonly clientReconciler: ClientIntentsReconciler;
  private readonly routing: EventRouting;
  private readonly leadership: Leadership;
  private readonly maintenance: Maintenance;
  private stopped = false;
  private started: Promise<void> = Promise.resolve();
  private readonly stopRequested: Promise<void>;
  private requestStop: () => void = () => undefined;

  /**
   * `clock`: the one source of time and timers for the controllers, reconcilers, stores and
   * maintenance (tests move it instead of sleeping). The leader elector keeps the system clock:
   * a lease is timed against other replicas in real time.
   */
  constructor(config: KubeConfig, settings: OperatorSettings, registry: Registry, private readonly log: Logger, private readonly clock: Clock = systemClock) {
    this.stopRequested = new Promise((resolve) => (this.requestStop = resolve));
    const kc = sharingConnections(config);
    const metrics = (this.metrics = createOperatorMetrics(registry));
    const evicted = (map: string, entries: number): void => metrics.evictions.inc({ map }, entries);
    this.index = new ClusterIndex({ clusterDomain: settings.clusterDomain, ipHistoryRetentionMs: settings.ipHistoryMs, onEvict: evicted });
    this.state = new LeaderState(settings.maxTargetsPerClient, { resolvedIpGraceMs: settings.resolvedIpGraceMs, onEvict: evicted }, { onEvict: (entries) => evicted('http-paths', entries) });
    this.gone = new GoneNamespaces(settings.ipHistoryMs);
    this.writes = new KubeWrites(kc, settings.fieldManager, metrics, 'network-mapper', () => this.state.leading && (this.elector?.isLeader ?? true));
    const custom = kc.makeApiClient(CustomObjectsApi);
    this.driftReport = new DriftReportWriter(this.writes, settings.observationNamespace, operatorDefaults.driftConfigMap, clock, log);
    const controller = <R>(name: string, reconciler: Reconciler<R>, idOf: (r: R) => string, workers: number): Controller<R> => new Controller<R>({ name, reconciler, idOf, workers, log, metrics, clock });
    const indexController = <R>(name: string, reconciler: Reconciler<R>, idOf: (r: R) => string): Controller<R> => {
      const c = controller(name, reconciler, idOf, Math.max(1, Math.ceil(settings.workers / 2)));
      this.indexControllers.push(c as unknown as Controller<never>);
      return c;
    };
    const byObject = (c: () => Controller<ObjectRequest>) => (_type: string, obj: KubernetesObject): void => c().enqueue({ namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
    const byName = (c: () => Controller<NameRequest>) => (_type: string, obj: KubernetesObject): void => c().enqueue({ name: obj.metadata?.name ?? '' });

    const informers = makeInformers(kc, settings.observationNamespace, log, metrics, {
      pod: byObject(() => podController),
      service: byObject(() => serviceController),
      endpointSlice: byObject(() => sliceController),
      node: byName(() => nodeController),
      namespace: byName(() => namespaceController),
      observation: (type, object) => this.routing.onObservation(type, object),
      intents: (type, object) => this.routing.onIntents(type, object),
    });
    const { pods, services, slices, nodes, namespaces } = informers;
    this.resources = informers.all;
    this.observations = informers.observations;
    this.intents = informers.intents;

    const podController: Controller<ObjectRequest> = indexController('pod', new PodReconciler(pods, this.index, new OwnerReader(kc, log, () => clock.now()), clock), objectId);
    const serviceController: Controller<ObjectRequest> = indexController('service', new ServiceReconciler(services, this.index), objectId);
    const sliceController: Controller<ObjectRequest> = indexController('endpointslice', new EndpointSliceReconciler(slices, this.index), objectId);
    const nodeController: Controller<NameRequest> = indexController('node', new NodeReconciler(nodes, this.index), nameId);
    const namespaceController: Controller<NameRequest> = indexController('namespace', new NamespaceReconciler(namespaces, this.gone, (name) => this.routing.onNamespaceGone(name), clock), nameId);

    this.routing = new EventRouting({
      state: this.state,
      metrics,
      log,
      observationController: () => this.observationController,
      clientController: () => this.clientController,
      observationReconciler: () => this.observationReconciler,
      clientReconciler: () => this.clientReconciler,
    });
    const enqueueClients = (keys: readonly string[]): void => this.routing.enqueueClients(keys);
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
      delivered: (ids) => this.routing.enqueueDelivered(ids),
      onEvict: (entries) => evicted('event-fingerprints', entries),
      onDriftEntry: (key, entry) => this.driftReport.set(key, entry),
      onDrift: ({ namespace, undeclared, unobserved }) => {
        metrics.undeclaredTargets.set({ namespace }, undeclared);
        metrics.unobservedTargets.set({ namespace }, unobserved);
      },
    });
    this.observationController = controller('observation', this.observationReconciler, objectId, settings.workers);
    this.clientController = controller('client-intents', this.clientReconciler, clientId, settings.workers);
    const kafka = settings.kafka && { ...settings.kafka, namespace: settings.observationNamespace, syncEveryMs: 10_000 };
    this.kafka = kafka && new KafkaIntegration(kc, this.index, () => this.state.store, () => this.state.active && !this.state.draining, (keys) => this.routing.enqueueClients([...keys]), kafka, registry, log);
    this.leadership = new Leadership({
      state: this.state,
      intents: this.intents,
      observations: this.observations,
      routing: this.routing,
      observationController: () => this.observationController,
      observationReconciler: () => this.observationReconciler,
      clientReconciler: () => this.clientReconciler,
      metrics,
      log,
      clock,
      ...(this.kafka ? { kafka: this.kafka } : {}),
    });
    this.maintenance = new Maintenance({ index: this.index, gone: this.gone, state: this.state, settings, clientReconciler: () => this.clientReconciler, routing: this.routing, clock });

    if (settings.leaderElection) {
      this.elector = new LeaderElector(
        kc,
        { namespace: settings.leaseNamespace, name: settings.leaseName, identity: settings.identity, timings: defaultLeaseTimings, onStartedLeading: () => this.leadership.setLeading(true), onStoppedLeading: () => this.leadership.setLeading(false) },
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
    else this.leadership.setLeading(true);
    this.observationController.start();
    this.clientController.start();
    this.maintenance.start();
  }

  /**
   * A leader first writes what it has resolved (nothing is held back any more, no new
   * observation is taken in), for at most flushTimeoutMs, then releases the Lease.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.requestStop();
    await this.started.catch(() => undefined);
    this.maintenance.stop();
    // Its last lines go into the store before the flush writes them.
    await this.kafka?.stop();
    if (this.state.active) await this.flush();
    await this.elector?.stop();
    this.leadership.setLeading(false);
    this.driftReport.stop();
    await Promise.all([this.observationController.stop(), this.clientController.stop(), ...this.indexControllers.map((c) => c.stop())]);
    await Promise.all(this.resources.map((r) => r.stop()));
  }

  private async flush(): Promise<void> {
    this.state.draining = true;
    this.routing.enqueueClients(this.state.gate.flush());
    // Delivery only moves when a reconcile finishes, so a controller turning idle is the event to re-check on.
    const controllers = [this.clientController, this.observationController];
    await waitUntilDrained(() => this.state.delivery.size === 0 && controllers.every((c) => c.idle), () => controllers.map((c) => c.nextIdle()), this.clock, flushTimeoutMs);
    this.log.info('flushed before releasing the lease', { undelivered: this.state.delivery.size });
  }

  /** For tests and diagnostics. */
  existingIntentsFor(namespace: string): ExistingIntents[] {
    return this.clientReconciler.existingIntentsFor(namespace);
  }

  /**
   * The pod as this replica's index holds it (after its owner walk), or undefined; for tests and
   * diagnostics: a fixture waits for it instead of guessing how long the informer takes.
   */
  indexedPod(namespace: string, name: string): { readonly ips: readonly string[]; readonly workload?: string } | undefined {
    const entry = this.index.pod(namespace, name);
    return entry && { ips: entry.pod.ips, ...(entry.identity ? { workload: `${entry.identity.kind ?? ''}/${entry.identity.name}` } : {}) };
  }

  /** Runs the periodic maintenance now (expiry, gone workloads, pruning); for tests. */
  maintainNow(): void {
    this.maintenance.run();
  }
}
