import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../../test/support/control-plane.js';
import { installCrds } from '../../../test/support/crds.js';
import type { Topology } from '../../../test/support/netns/topology.js';
import { forwardUnixToTcp } from '../../../test/support/netns/unix-to-tcp.js';
import { writeServiceAccountKubeconfig } from '../../../test/support/service-account-kubeconfig.js';
import { snifferKubeConfig } from '../../../test/support/sniffer-rbac.js';

const tcpToUnix = join(import.meta.dirname, '..', '..', '..', 'test', 'support', 'netns', 'tcp-to-unix.js');

export interface NodeApiServer {
  /** A kubeconfig file for the sniffer's ServiceAccount, valid inside the topology's "node" namespace. */
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

/**
 * A private test control plane for a sniffer running in the topology's "node" namespace: CRDs,
 * `namespace` with the sniffer's RBAC, its ServiceAccount kubeconfig in `workDir`, the API server
 * reached inside the node on the same loopback address through a Unix socket (certificate names
 * unchanged), and an operator stand-in that deletes the written NetworkObservations every second.
 */
export async function startNodeApiServer(topology: Topology, workDir: string, namespace: string): Promise<NodeApiServer> {
  let controlPlane: ControlPlane | undefined;
  let forward: { close(): Promise<void> } | undefined;
  let operatorStandIn: NodeJS.Timeout | undefined;
  const stop = async (): Promise<void> => {
    if (operatorStandIn) clearInterval(operatorStandIn);
    await forward?.close();
    await controlPlane?.stop();
  };
  try {
    controlPlane = await startControlPlane();
    const admin = controlPlane.admin();
    await installCrds(admin);
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const kubeconfig = join(workDir, 'kubeconfig');
    writeServiceAccountKubeconfig(await snifferKubeConfig(controlPlane, namespace), kubeconfig, namespace);
    const api = new URL(admin.getCurrentCluster()?.server ?? '');
    const custom = admin.makeApiClient(CustomObjectsApi);
    operatorStandIn = setInterval(() => {
      custom.deleteCollectionNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace }).catch(() => undefined);
    }, 1_000);
    const socketPath = join(workDir, 'api.sock');
    forward = await forwardUnixToTcp(socketPath, { host: api.hostname, port: Number(api.port) });
    await topology.spawnNode('node', tcpToUnix, api.port, socketPath).waitForLine((l) => l === 'ready');
    return { kubeconfig, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
