import { connect } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '../wait-for.js';
// A cycle (local-cluster.ts starts the node exporter), harmless: applyManifests is only called at run time.
import { applyManifests } from './local-cluster.js';
import type { NodeLayout } from './node/node-layout.js';

/** The port a node exporter listens on; on the node IP, as on every real node. */
export const nodeMetricsPort = 9100;

/**
 * Something else on the node IP, as every real node has (kubelet 10250, node exporter 9100):
 * traffic to it is host network. It runs as a real node exporter does: a hostNetwork DaemonSet
 * pod in kube-system, here the demo image serving HTTP on the port.
 */
const manifest = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: node-exporter, namespace: kube-system, labels: { app: node-exporter } }
spec:
  selector: { matchLabels: { app: node-exporter } }
  template:
    metadata: { labels: { app: node-exporter } }
    spec:
      hostNetwork: true
      # As node exporters do: on every node, whatever its taints.
      tolerations: [{ operator: Exists }]
      containers:
        - name: node-exporter
          image: __DEMO_IMAGE__
          env:
            - { name: LISTEN_PORT, value: "${nodeMetricsPort}" }
          readinessProbe: { tcpSocket: { port: ${nodeMetricsPort} }, periodSeconds: 2 }
`;

function answers(host: string, port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(undefined));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

/** Starts the node exporter and waits until it answers on the node IP (from the host, through the node's link). */
export async function startNodeMetrics(admin: KubeConfig, layout: NodeLayout): Promise<void> {
  await applyManifests(admin, manifest);
  await waitFor(`the node exporter on ${layout.nodeIP}:${nodeMetricsPort}`, () => answers(layout.nodeIP, nodeMetricsPort), 60_000);
}
