import { readFileSync, writeFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * A kubeconfig file as a cluster would mount it for a ServiceAccount: token user, CA inline.
 * `server` replaces the API server's address (a pod reaches it through the kubernetes Service).
 */
export function writeServiceAccountKubeconfig(kc: KubeConfig, path: string, namespace: string, server?: string): void {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user?.token) throw new Error('the ServiceAccount KubeConfig has no cluster or token');
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  if (!caData) throw new Error('the control plane kubeconfig has no certificate authority');
  writeFileSync(path, [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: local',
    '  cluster:',
    `    server: ${server ?? cluster.server}`,
    `    certificate-authority-data: ${caData}`,
    'users:',
    `- name: ${user.name}`,
    '  user:',
    `    token: ${user.token}`,
    'contexts:',
    '- name: local',
    '  context:',
    '    cluster: local',
    `    user: ${user.name}`,
    `    namespace: ${namespace}`,
    'current-context: local',
    '',
  ].join('\n'), { mode: 0o600 });
}
