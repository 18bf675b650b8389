import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createKubeClient, type KubeClient } from '../../shared/kube/kube-client.js';
import { KubeConfigError, type KubeClientConfig } from '../../shared/kube/kube-client-config.js';
import { loadKubeconfigFile } from '../../shared/kube/kubeconfig-file.js';
import type { ClusterOptions } from '../core/command.js';

/**
 * The Kubernetes client of the read-only commands: the small one in src/shared/kube (node:https),
 * because loading @kubernetes/client-node costs most of a second (BENCHMARKS.md, "CLI start-up")
 * and `list`, `export`, `diff` and `status` run in loops and scripts.
 */
export async function connectUserKube(options: ClusterOptions): Promise<KubeClient> {
  return createKubeClient(await userKubeClientConfig(options, process.env));
}

/**
 * One kubeconfig file that the small reader understands (a token, a token file or a client
 * certificate, one `--kubeconfig` or one `$KUBECONFIG` file or ~/.kube/config): read here. Every
 * other case kubectl handles (several `$KUBECONFIG` files merged, exec and auth-provider plugins,
 * basic auth, impersonation, the pod's ServiceAccount) and every error message come from
 * client-node's KubeConfig, loaded only then.
 */
export async function userKubeClientConfig(options: ClusterOptions, env: Record<string, string | undefined>): Promise<KubeClientConfig> {
  const file = singleKubeconfigFile(options, env);
  if (file !== undefined) {
    try {
      return loadKubeconfigFile(file, options.context);
    } catch (error) {
      if (!(error instanceof KubeConfigError)) throw error;
    }
  }
  const { loadUserKubeConfig, kubeClientConfigOf } = await import('./user-kube-config.js');
  return kubeClientConfigOf(loadUserKubeConfig(options));
}

/** The one file kubectl would read, if there is exactly one. */
export function singleKubeconfigFile(options: ClusterOptions, env: Record<string, string | undefined>): string | undefined {
  if (options.kubeconfig) return options.kubeconfig;
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((path) => path !== '');
    return files.length === 1 ? files[0] : undefined;
  }
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}
