import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { ClusterIndex } from '../../core/cluster-index.js';
import type { IntentsStore } from '../../core/intents-store.js';
import { readKafkaServerConfig, selectBrokerPods, type BrokerSelection, type KafkaServerConfigInfo } from '../../core/kafka/broker-discovery.js';
import { errorFields, type Logger } from '../../../shared/logger.js';
import type { BrokerTarget } from './broker-follower.js';
import { ConfigMapCursorStore } from './cursor-store.js';
import { createKafkaMetrics } from './kafka-metrics.js';
import { KafkaWatcher, type KafkaWatcherStatus } from './kafka-watcher.js';

export interface KafkaSettings {
  /** Equality label selector of broker pods, used where the KafkaServerConfig CRD is absent; empty: none. */
  readonly brokerSelector: Readonly<Record<string, string>>;
  /** The broker container's name; empty: the pod's first container. */
  readonly container: string;
  /** The ConfigMap (in the operator's namespace) holding the cursors. */
  readonly cursorConfigMap: string;
  readonly namespace: string;
  /** How often brokers are looked for again. */
  readonly syncEveryMs: number;
}

/** KafkaServerConfig versions, newest first: the first one served is listed. */
const serverConfigVersions = ['v2beta1', 'v2alpha1', 'v1alpha3', 'v1alpha2'];

/**
 * The Kafka watcher in the operator: while this replica leads, finds the brokers every
 * `syncEveryMs` (KafkaServerConfigs where Otterize's CRD is served, else the label selector)
 * and has the watcher follow them; their accesses go into the leader's store and the changed
 * clients to `enqueueClients`. Does nothing at all when neither finds a broker.
 */
export class KafkaIntegration {
  private readonly watcher: KafkaWatcher;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private syncing: Promise<void> = Promise.resolve();
  private crdVersion: string | undefined;

  constructor(
    kc: KubeConfig,
    private readonly index: ClusterIndex,
    store: () => IntentsStore,
    private readonly active: () => boolean,
    enqueueClients: (keys: Iterable<string>) => void,
    private readonly settings: KafkaSettings,
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    const cursors = new ConfigMapCursorStore(this.core, settings.namespace, settings.cursorConfigMap);
    this.watcher = new KafkaWatcher(kc, index, store, cursors, (keys) => enqueueClients(keys), createKafkaMetrics(registry), log, undefined, active);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.watcher.start();
    if (!this.running) {
      // Stopped while the cursors were read.
      await this.watcher.stop();
      return;
    }
    this.syncing = this.sync();
    this.timer = setInterval(() => {
      this.syncing = this.syncing.then(() => this.sync());
    }, this.settings.syncEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    await this.syncing;
    await this.watcher.stop();
  }

  status(): KafkaWatcherStatus {
    return this.watcher.status();
  }

  /** Finds the brokers now and hands them to the watcher; for tests too. */
  async sync(): Promise<void> {
    if (!this.running || !this.active()) return;
    try {
      const selection: BrokerSelection = { ...(await this.serverConfigs()), labels: this.settings.brokerSelector };
      const pods = selectBrokerPods(this.index.allPods(), selection);
      const targets: BrokerTarget[] = [];
      for (const broker of pods) {
        const target = await this.containerOf(broker);
        if (target) targets.push(target);
      }
      if (this.running) this.watcher.sync(targets);
    } catch (error) {
      this.log.warn('kafka brokers not found this time', errorFields(error));
    }
  }

  /** KafkaServerConfigs, or nothing (selector mode) where the CRD is not served or may not be listed. */
  private async serverConfigs(): Promise<{ serverConfigs?: KafkaServerConfigInfo[] }> {
    const versions = this.crdVersion ? [this.crdVersion, ...serverConfigVersions.filter((v) => v !== this.crdVersion)] : serverConfigVersions;
    for (const version of versions) {
      try {
        const list = (await this.custom.listClusterCustomObject({ group: 'k8s.otterize.com', version, plural: 'kafkaserverconfigs' })) as { items?: unknown[] };
        this.crdVersion = version;
        return { serverConfigs: (list.items ?? []).flatMap((item) => readKafkaServerConfig(item) ?? []) };
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code === 403) return {};
        if (code !== 404) throw error;
      }
    }
    this.crdVersion = undefined;
    return {};
  }

  /** The broker container and its restart count, read from the pod itself (the informer's cache keeps neither). */
  private async containerOf(broker: { namespace: string; name: string; identity: BrokerTarget['identity'] }): Promise<BrokerTarget | undefined> {
    try {
      const pod = await this.core.readNamespacedPod({ namespace: broker.namespace, name: broker.name });
      const container = this.settings.container || pod.spec?.containers[0]?.name;
      const uid = pod.metadata?.uid;
      if (!container || !uid || pod.metadata?.deletionTimestamp) return undefined;
      const status = pod.status?.containerStatuses?.find((s) => s.name === container);
      if (!status?.state?.running) return undefined;
      return { ...broker, source: { podUid: uid, container, restartCount: status.restartCount } };
    } catch (error) {
      if ((error as { code?: number }).code !== 404) this.log.warn('kafka broker pod not read', { namespace: broker.namespace, name: broker.name, ...errorFields(error) });
      return undefined;
    }
  }
}
