import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesObjectApi, loadYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { componentLogger } from '../component-process.js';
import { step } from '../progress.js';
import { startControlPlane, type ControlPlane } from '../control-plane.js';
import type { OtterizeDir } from '../otterize/otterize-dir.js';
import { installOtterizeRelease, otterizeImages, OtterizeUnavailableError } from '../otterize/otterize-release.js';
import { joinClusterCgroup } from './cluster-cgroup.js';
import { startCoreDns } from './coredns.js';
import { cleanUpHostNetwork, clusterNetwork, setUpHostNetwork, type ClusterNetwork } from './host-network.js';
import { demoDir, startInternet } from './internet.js';
import { startKubeProxy } from './kube-proxy.js';
import { networkMapperImageLayout } from './network-mapper-image.js';
import { chartImageReference, helmInstall, waitForReleaseReady } from './network-mapper-release.js';
import { startNodeAgent, type NodeAgent } from './node-agent.js';
import { startNodeMetrics } from './node-metrics.js';
import { startUpstreamDns } from './upstream-dns.js';

const log = componentLogger('local-cluster');
export const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
/** The release namespace: the sniffer writes NetworkObservations there and the operator reads them (as installed). */
export const observationNamespace = 'network-mapper';
export const chartDir = join(repoRoot, 'charts', 'network-mapper');
const helmBinary = join(repoRoot, '.cache', 'helm');
const controllers = [
  'deployment-controller', 'replicaset-controller', 'statefulset-controller', 'daemonset-controller', 'job-controller', 'cronjob-controller',
  'garbage-collector-controller', 'endpointslice-controller', 'serviceaccount-controller', 'namespace-controller',
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
  readonly network: ClusterNetwork;
  readonly nodeName: string;
  readonly stateDir: string;
  readonly nodeAgent: NodeAgent;
  /** When the sniffer pod was first Ready. */
  readonly snifferStartedAt: number;
  readonly logDir: string;
  /** Whether Otterize's Intents Operator runs in it (otterize-system). */
  readonly withOtterize: boolean;
  stop(): Promise<void>;
}

/** Replaces `__DEMO_DIR__` and `__NODE__` and creates the objects (already existing ones are kept). */
export async function applyManifests(kc: KubeConfig, yamlText: string): Promise<KubernetesObject[]> {
  const text = yamlText.replaceAll('__DEMO_DIR__', demoDir).replaceAll('__NODE__', process.execPath);
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
 * A one-node cluster on this machine: the test control plane with controllers, a node agent that
 * runs pods in network namespaces (from OCI images, or as processes), kube-proxy-like nft DNAT,
 * CoreDNS as a pod, a node exporter on the node IP, a local "internet", and network-mapper
 * installed by its Helm chart from its image: the sniffer DaemonSet and the operator Deployment,
 * in-cluster with their projected ServiceAccount tokens; with `otterize`, Otterize's Intents
 * Operator from its own chart before it. stop() removes everything it made.
 * Throws ImageUnavailableError before making anything when the image cannot be built.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const imageLayout = networkMapperImageLayout(repoRoot);
  const image = chartImageReference(chartDir);
  const images = new Map([[image.reference, { layout: imageLayout, tag: image.tag }], ...(options.otterize ? otterizeImages(options.otterize) : [])]);
  const network = clusterNetwork(options.prefix, options.octet);
  const stateDir = join(repoRoot, '.cache', 'local-cluster', options.prefix);
  mkdirSync(stateDir, { recursive: true });
  await cleanUpHostNetwork(options.prefix);
  rmSync(join(stateDir, 'logs'), { recursive: true, force: true });
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => log.warn('cleanup step failed', { error: String(error) }));
    await cleanUpHostNetwork(options.prefix);
  };
  try {
    await step('host network (bridge, routes, nft rules)', () => setUpHostNetwork(network));
    const controlPlane = await step('control plane (etcd, kube-apiserver, controllers)', () => startControlPlane({
      controllers,
      // As on kubeadm, kind or k3s the kubernetes Service's endpoint is the node IP (on the
      // bridge), which pods reach through the Service's DNAT; the nft input chain keeps the port
      // closed to every interface but lo and the bridge.
      extraArgs: ['--bind-address=0.0.0.0', `--advertise-address=${network.nodeIP}`],
    }));
    stops.push(() => controlPlane.stop());
    // As on a node with kube-proxy, the API server reaches webhook Services by their ClusterIP.
    if (!joinClusterCgroup(options.prefix, controlPlane.pid) && options.otterize) {
      throw new OtterizeUnavailableError('Otterize cannot be installed: without a cgroup2 mount below /sys/fs/cgroup the API server cannot reach its webhook Service');
    }
    const admin = controlPlane.admin();
    const apiPort = Number(new URL(admin.getCurrentCluster()!.server).port);

    const nodeName = `${options.prefix}-node`;
    const nodeAgent = await step(`node ${nodeName}`, () => startNodeAgent(admin, { nodeName, network, logDir, images }));
    stops.push(() => nodeAgent.stop());
    const kubeProxy = startKubeProxy(admin, network, apiPort);
    stops.push(() => kubeProxy.stop());
    await step('kube-proxy', () => kubeProxy.kick());
    const internet = await startInternet(network);
    stops.push(() => internet.stop());
    const upstreamDns = await startUpstreamDns(network, internet.names);
    stops.push(() => upstreamDns.stop());
    await step('CoreDNS', () => startCoreDns(controlPlane, { stateDir, clusterIP: network.dnsServiceIP, upstream: upstreamDns.address, clusterDomain: 'cluster.local' }));

    await startNodeMetrics(admin, network.nodeIP);
    const otterize = options.otterize;
    if (otterize) {
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
        },
      });
      await waitForReleaseReady(admin, observationNamespace, { sniffers: 1, operators: 2 }, releaseReadyTimeoutMs);
    });
    const snifferStartedAt = Date.now();

    return { controlPlane, admin, network, nodeName, stateDir, nodeAgent, snifferStartedAt, logDir, withOtterize: options.otterize !== undefined, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
