import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { componentLogger } from '../component-process.js';
import { step } from '../progress.js';
import { startControlPlane, type ControlPlane } from '../control-plane.js';
import { nodeCredentials } from './node/node-config.js';
import { cleanUpNodeHost, lockNode, recordHost, unlockNode } from './node/node-host.js';
import { nodeImages, type ImageSource } from './node/node-images.js';
import { nodeLayout, type NodeLayout } from './node/node-layout.js';
import { closeApiServerPort, setUpNodeNetwork } from './node/node-network.js';
import { startRealNode } from './node/node.js';

const log = componentLogger('bare-node');
const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

/** What pods of Deployments and StatefulSets need, and the node's taints following its conditions. */
export const bareNodeControllers = [
  'deployment-controller', 'replicaset-controller', 'statefulset-controller', 'serviceaccount-controller',
  // Taints follow the Node's conditions (not-ready goes once the kubelet reports Ready), and
  // pods of a deleted or dead node are evicted, as in any cluster.
  'node-lifecycle-controller', 'taint-eviction-controller',
  // The kube-root-ca.crt ConfigMap every namespace gets: the kube-api-access volume projects it.
  'root-ca-certificate-publisher-controller',
];

export interface BareNodeOptions {
  /** Names every namespace, link, nft table and file of this node (2-6 letters/digits). */
  readonly prefix: string;
  /** 10.244.<octet>.0/24 for pods. */
  readonly octet: number;
  /** The images imported into containerd; by default only the pause and demo images. */
  readonly images?: ReadonlyMap<string, ImageSource>;
  /** kube-controller-manager's controllers; by default `bareNodeControllers`. */
  readonly controllers?: readonly string[];
}

export interface BareNode {
  readonly controlPlane: ControlPlane;
  readonly admin: KubeConfig;
  readonly layout: NodeLayout;
  readonly stateDir: string;
  readonly logDir: string;
  /** Runs `cleanUp` at stop(), before what was registered earlier (last in, first out). */
  onStop(cleanUp: () => Promise<void>): void;
  /** Stops everything, logging (not throwing) a failed step, cleans the host and frees the node lock. */
  stop(): Promise<void>;
}

/**
 * The control plane and one real node (containerd, kubelet, kube-proxy, kube-scheduler) and
 * nothing else: the local cluster (startLocalCluster) builds the rest on it, and benchmarks that
 * need a kubelet's real logs and pods/log use it alone, up in seconds. Takes the machine's node
 * lock like any local cluster (NodeBusyError while another runs).
 */
export async function startBareNode(options: BareNodeOptions): Promise<BareNode> {
  const images = options.images ?? new Map([...nodeImages(repoRoot)].filter(([reference]) => /\/(pause|demo):/.test(reference)));
  const stateDir = join(repoRoot, '.cache', 'local-cluster', options.prefix);
  const layout = nodeLayout(options.prefix, options.octet, stateDir);
  mkdirSync(stateDir, { recursive: true });
  lockNode(layout);
  await cleanUpNodeHost(layout);
  const logDir = join(stateDir, 'logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  await recordHost(layout);

  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const cleanUp of stops.reverse()) await cleanUp().catch((error: unknown) => log.warn('cleanup step failed', { error: String(error) }));
    stops.length = 0;
    await cleanUpNodeHost(layout);
    unlockNode();
  };
  try {
    await step('node network (link, routes, nft rules)', () => setUpNodeNetwork(layout));
    const controlPlane = await step('control plane (etcd, kube-apiserver, controllers)', () => startControlPlane({
      controllers: [...(options.controllers ?? bareNodeControllers)],
      // The API server binds every host address and advertises the host's end of the node's
      // link: the kubernetes Service's endpoint, which pods reach through kube-proxy's DNAT and
      // the node's components directly. It joins a node: kubeconfigs and certificates for the
      // kubelet, kube-proxy and the scheduler, which it runs beside the controllers.
      extraArgs: ['--bind-address=0.0.0.0', `--advertise-address=${layout.hostLink.hostIP}`, `--node-name=${layout.nodeName}`,
        `--node-ip=${layout.nodeIP}`, '--service-account-admission'],
    }));
    stops.push(() => controlPlane.stop());
    const admin = controlPlane.admin();
    closeApiServerPort(layout, Number(new URL(admin.getCurrentCluster()!.server).port));
    const node = await step(`node ${layout.nodeName} (containerd, kubelet, kube-proxy, kube-scheduler)`, () => startRealNode(layout, { admin, credentials: nodeCredentials(controlPlane.dataDir), images, logDir }));
    stops.push(() => node.stop());
    return { controlPlane, admin, layout, stateDir, logDir, onStop: (cleanUp) => void stops.push(cleanUp), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
