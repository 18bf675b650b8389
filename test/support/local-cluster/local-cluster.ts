import { join } from 'node:path';
import { KubernetesObjectApi, loadYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { step } from '../progress.js';
import type { ControlPlane } from '../control-plane.js';
import type { OtterizeDir } from '../otterize/otterize-dir.js';
import { installOtterizeRelease, otterizeImages } from '../otterize/otterize-release.js';
import { startCoreDns } from './coredns.js';
import { startInternet } from './internet.js';
import { networkMapperImageLayout } from './network-mapper-image.js';
import { chartImageReference, helmInstall, waitForReleaseReady } from './network-mapper-release.js';
import { startNetworkPolicyEnforcer } from './network-policy-enforcer.js';
import { startNodeMetrics } from './node-metrics.js';
import { startUpstreamDns } from './upstream-dns.js';
import { demoImage, imageFrom, kubeRouterImageRepository, nodeImages, type ImageSource } from './node/node-images.js';
import { kafkaImages } from './node/kafka-image.js';
import { kafkaClients } from './kafka-demo.js';
import { applyKafkaTlsSecrets, kafkaIdentities, otterizeTlsSecret } from './kafka-tls.js';
import type { NodeLayout } from './node/node-layout.js';
import { startBareNode } from './bare-node.js';

export const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
/** The release namespace: the sniffer writes NetworkObservations there and the operator reads them (as installed). */
export const observationNamespace = 'network-mapper';
export const chartDir = join(repoRoot, 'charts', 'network-mapper');
const helmBinary = join(repoRoot, '.cache', 'helm');
const controllers = [
  'deployment-controller', 'replicaset-controller', 'statefulset-controller', 'daemonset-controller', 'job-controller', 'cronjob-controller',
  'garbage-collector-controller', 'endpointslice-controller', 'serviceaccount-controller', 'namespace-controller',
  // Taints follow the Node's conditions (not-ready goes once the kubelet reports Ready), and
  // pods of a deleted or dead node are evicted, as in any cluster.
  'node-lifecycle-controller', 'taint-eviction-controller',
  // The kube-root-ca.crt ConfigMap every namespace gets: the kube-api-access volume projects it.
  'root-ca-certificate-publisher-controller',
];
/** The image's first unpack (about 300 MB) and the sniffer's first readiness probe (every 10 s) fit in this. */
const releaseReadyTimeoutMs = 120_000;
/** Otterize's readiness probes start after 5 s and run every 10 s; its webhook server then re-applies the CRDs. */
const otterizeReadyTimeoutMs = 90_000;

export interface LocalClusterOptions {
  /** Names every namespace, link, nft table and file of this cluster (2-6 letters/digits). */
  readonly prefix: string;
  /** 10.244.<octet>.0/24 for pods. */
  readonly octet: number;
  readonly windowSeconds: number;
  /** The sniffer's HTTP port: it is on the host network, shared with every other local cluster. */
  readonly snifferPort: number;
  /**
   * Otterize's binaries, charts and images (OTTERIZE_BIN_DIR): its Intents Operator is then
   * installed first, with its own chart, and network-mapper's chart finds Otterize's ClientIntents
   * CRD and installs none of its own.
   */
  readonly otterize?: OtterizeDir;
}

export interface LocalCluster {
  readonly controlPlane: ControlPlane;
  readonly admin: KubeConfig;
  /** The node's names, addresses and dirs. */
  readonly network: NodeLayout;
  readonly nodeName: string;
  readonly stateDir: string;
  /** From the start call to the Node Ready without taints. */
  readonly nodeReadyAfterMs: number;
  /** When the sniffer pod was first Ready. */
  readonly snifferStartedAt: number;
  readonly logDir: string;
  /** Whether Otterize's Intents Operator runs in it (otterize-system). */
  readonly withOtterize: boolean;
  stop(): Promise<void>;
}

/** Replaces `__DEMO_IMAGE__` (the demo image's reference) and creates the objects (already existing ones are kept). */
export async function applyManifests(kc: KubeConfig, yamlText: string): Promise<KubernetesObject[]> {
  const text = yamlText.replaceAll('__DEMO_IMAGE__', demoImage);
  // Split by hand: loadAllYaml fails on empty documents.
  const objects = text.split(/^---\s*$/m)
    .filter((doc) => doc.split('\n').some((line) => line.trim() && !line.trim().startsWith('#')))
    .map((doc) => loadYaml<KubernetesObject>(doc));
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    try {
      await api.create(object);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
  return objects;
}

/**
 * A one-node cluster on this machine from real parts: the test control plane (API server, etcd,
 * controllers, scheduler) on the host, and a real node in a network namespace of its own
 * (containerd with runc and the CNI plugins, the kubelet, kube-proxy in nftables mode) running
 * every pod from an OCI image imported into containerd; CoreDNS as a pod, a node exporter on the
 * node IP, a local "internet" behind the node, and network-mapper installed by its Helm chart from
 * its image; with `otterize`, Otterize's Intents Operator from its own chart before it. stop()
 * removes everything it made. One node at a time on a machine (node/node-host.ts).
 * Throws ImageUnavailableError before making anything when the image cannot be built.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const startedAt = Date.now();
  const imageLayout = networkMapperImageLayout(repoRoot);
  const image = chartImageReference(chartDir);
  const images = new Map<string, ImageSource>([
    [image.reference, { layout: imageLayout, tag: image.tag }],
    ...nodeImages(repoRoot),
    ...kafkaImages(repoRoot),
    ...(options.otterize ? otterizeImages(options.otterize) : []),
  ]);
  const base = await startBareNode({ prefix: options.prefix, octet: options.octet, images, controllers });
  const { controlPlane, admin, layout, stateDir, logDir, stop } = base;
  try {
    const nodeReadyAfterMs = Date.now() - startedAt;
    const internet = startInternet(layout);
    base.onStop(() => internet.stop());
    const upstreamDns = await startUpstreamDns(layout, internet.names);
    base.onStop(() => upstreamDns.stop());
    await step('CoreDNS', () => startCoreDns(admin, { clusterIP: layout.dnsServiceIP, clusterDomain: 'cluster.local', images }));
    await startNodeMetrics(admin, layout);
    // The NetworkPolicy enforcer, before anything makes policies (docs/local-cluster.md).
    await step('NetworkPolicy enforcer (kube-router firewall)', () => startNetworkPolicyEnforcer(admin, imageFrom(images, kubeRouterImageRepository)));
    // The Kafka demo's TLS identities (docs/kafka.md), and Otterize's operator's for administering
    // the broker: Secrets in the cert-manager shape, before the pods and the chart that mount them.
    const identities = kafkaIdentities(kafkaClients).filter((i) => options.otterize || i.secret !== otterizeTlsSecret);
    await step('Kafka TLS identities (a CA, a certificate per workload)', () => applyKafkaTlsSecrets(admin, join(stateDir, 'kafka-tls'), identities));
    if (options.otterize) {
      const otterize = options.otterize;
      await step('Otterize Intents Operator (Helm chart)', () => installOtterizeRelease(admin, otterize, {
        helm: helmBinary, kubeconfigPath: controlPlane.kubeconfigPath, helmHome: join(stateDir, 'helm'), timeoutMs: otterizeReadyTimeoutMs,
      }));
    }
    await step('network-mapper (Helm chart, from its image): 1 sniffer, 2 operators', async () => {
      await helmInstall({
        helm: helmBinary,
        chartDir,
        kubeconfigPath: controlPlane.kubeconfigPath,
        namespace: observationNamespace,
        helmHome: join(stateDir, 'helm'),
        values: {
          'sniffer.port': options.snifferPort,
          'sniffer.windowSeconds': options.windowSeconds,
          'sniffer.scanIntervalSeconds': 1,
          // Processed observations are kept 5 min (the product deletes them at once), so that the
          // end-to-end test and a user looking around can read what was seen and how it resolved.
          'operator.observationRetentionSeconds': 300,
          // The demo's HTTP paths and methods in the map (off by default in the chart).
          'httpPaths.enabled': true,
          // The demo's Kafka broker (demo/kafka.yaml): its authorizer log read through the pods/log API.
          'kafka.brokerSelector.app': 'kafka',
        },
      });
      await waitForReleaseReady(admin, observationNamespace, { sniffers: 1, operators: 2 }, releaseReadyTimeoutMs);
    });
    const snifferStartedAt = Date.now();

    return { controlPlane, admin, network: layout, nodeName: layout.nodeName, stateDir, nodeReadyAfterMs, snifferStartedAt, logDir, withOtterize: options.otterize !== undefined, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
