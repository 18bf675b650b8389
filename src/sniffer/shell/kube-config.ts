import { KubeConfig } from '@kubernetes/client-node';

/** KUBECONFIG when set (running outside the cluster), the pod's ServiceAccount otherwise. */
export function loadKubeConfig(env: Record<string, string | undefined> = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (env.KUBECONFIG) kc.loadFromFile(env.KUBECONFIG);
  else kc.loadFromCluster();
  return kc;
}
