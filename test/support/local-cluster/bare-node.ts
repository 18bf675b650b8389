import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { componentLogger } from '../component-process.js';
import { startControlPlane, type ControlPlane } from '../control-plane.js';
import { nodeCredentials } from './node/node-config.js';
import { cleanUpNodeHost, lockNode, recordHost, unlockNode } from './node/node-host.js';
import { nodeImages } from './node/node-images.js';
import { nodeLayout, type NodeLayout } from './node/node-layout.js';
import { closeApiServerPort, setUpNodeNetwork } from './node/node-network.js';
import { startRealNode } from './node/node.js';

const log = componentLogger('bare-node');
const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

/** What pods of Deployments and StatefulSets need, and the node's taints following its conditions. */
const controllers = [
  'deployment-controller', 'replicaset-controller', 'statefulset-controller', 'serviceaccount-controller',
  'node-lifecycle-controller', 'taint-eviction-controller', 'root-ca-certificate-publisher-controller',
];

export interface BareNode {
  readonly controlPlane: ControlPlane;
  readonly admin: KubeConfig;
  readonly layout: NodeLayout;
  readonly logDir: string;
  stop(): Promise<void>;
}

/**
 * The first half of the local cluster (startLocalCluster) and nothing else: the control plane
 * and one real node (containerd, kubelet, kube-proxy, kube-scheduler) with the pause and demo
 * images only; no CoreDNS, NetworkPolicy enforcer or network-mapper release.
 * For benchmarks that need a kubelet's real logs and pods/log, started in seconds. Takes the
 * machine's node lock like any local cluster (NodeBusyError while another runs).
 */
export async function startBareNode(options: { readonly prefix: string; readonly octet: number }): Promise<BareNode> {
  const images = new Map([...[...nodeImages(repoRoot)].filter(([reference]) => /\/(pause|demo):/.test(reference))]);
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
    for (const step of stops.reverse()) await step().catch((error: unknown) => log.warn('cleanup step failed', { error: String(error) }));
    await cleanUpNodeHost(layout);
    unlockNode();
  };
  try {
    await setUpNodeNetwork(layout);
    const controlPlane = await startControlPlane({
      controllers,
      extraArgs: ['--bind-address=0.0.0.0', `--advertise-address=${layout.hostLink.hostIP}`, `--node-name=${layout.nodeName}`,
        `--node-ip=${layout.nodeIP}`, '--service-account-admission'],
    });
    stops.push(() => controlPlane.stop());
    const admin = controlPlane.admin();
    closeApiServerPort(layout, Number(new URL(admin.getCurrentCluster()!.server).port));
    const node = await startRealNode(layout, { admin, credentials: nodeCredentials(controlPlane.dataDir), images, logDir });
    stops.push(() => node.stop());
    return { controlPlane, admin, layout, logDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
