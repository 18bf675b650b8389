import { delimiter } from 'node:path';
import { inClusterConfig } from './in-cluster-config.js';
import { KubeConfigError, type KubeClientConfig } from './kube-client-config.js';

/**
 * KUBECONFIG when set (running outside the cluster), the pod's ServiceAccount otherwise. The
 * kubeconfig reader (and the YAML parser it needs) is loaded only when a kubeconfig is used.
 */
export async function loadKubeClientConfig(env: Record<string, string | undefined> = process.env): Promise<KubeClientConfig> {
  const kubeconfig = env.KUBECONFIG;
  if (!kubeconfig) return inClusterConfig(env);
  const paths = kubeconfig.split(delimiter).filter((path) => path !== '');
  if (paths.length !== 1) throw new KubeConfigError(`KUBECONFIG names ${paths.length} files; merging kubeconfigs is not supported, name one`);
  const { loadKubeconfigFile } = await import('./kubeconfig-file.js');
  return loadKubeconfigFile(paths[0]!);
}
