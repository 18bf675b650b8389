import { connect } from 'node:net';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '../wait-for.js';
// A cycle (local-cluster.ts starts the node exporter), harmless: applyManifests is only called at run time.
import { applyManifests } from './local-cluster.js';

/** The port a node exporter listens on; on the node IP, next to the API server's. */
export const nodeMetricsPort = 9100;

/**
 * Something else on the node IP, as every real node has (kubelet 10250, node exporter 9100):
 * traffic to it is host network, not the API server that shares the address. It runs as a real
 * node exporter does: a hostNetwork DaemonSet pod in kube-system.
 */
const nodeMetricsScript = join(import.meta.dirname, 'node-metrics-main.js');

function manifest(nodeIP: string): string {
  return `
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
          image: local/node
          command: ["__NODE__", "${nodeMetricsScript}"]
          env:
            - { name: LISTEN_ADDRESS, value: "${nodeIP}" }
            - { name: LISTEN_PORT, value: "${nodeMetricsPort}" }
`;
}

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

/** Starts the node exporter and waits until it listens on the node IP. */
export async function startNodeMetrics(admin: KubeConfig, nodeIP: string): Promise<void> {
  await applyManifests(admin, manifest(nodeIP));
  await waitFor(`the node exporter on ${nodeIP}:${nodeMetricsPort}`, () => answers(nodeIP, nodeMetricsPort), 60_000);
}
