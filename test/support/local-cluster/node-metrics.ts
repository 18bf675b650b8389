import { join } from 'node:path';

/** The port a node exporter listens on; on the node IP, next to the API server's. */
export const nodeMetricsPort = 9100;

/**
 * Something else on the node IP, as every real node has (kubelet 10250, node exporter 9100):
 * traffic to it is host network, not the API server that shares the address. A host process
 * (HostProcesses), so it answers while the test runner is busy and a crashed run's is stopped.
 */
export const nodeMetricsScript = join(import.meta.dirname, 'node-metrics-main.js');

export function nodeMetricsEnv(nodeIP: string): Record<string, string> {
  return { LISTEN_ADDRESS: nodeIP, LISTEN_PORT: String(nodeMetricsPort) };
}
