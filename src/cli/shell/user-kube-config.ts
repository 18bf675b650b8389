import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterOptions } from '../core/command.js';
import { CliError, exitCodes } from '../core/exit-codes.js';

/**
 * The user's kubeconfig as kubectl finds it: --kubeconfig, else $KUBECONFIG (':'-separated files,
 * merged), else ~/.kube/config, else the pod's ServiceAccount; then --context if given.
 */
export function loadUserKubeConfig(options: ClusterOptions): KubeConfig {
  const kc = new KubeConfig();
  const source = options.kubeconfig ?? (process.env.KUBECONFIG ? `$KUBECONFIG (${process.env.KUBECONFIG})` : '~/.kube/config');
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    const reason = (error as { code?: string }).code ?? firstLine((error as Error).message);
    throw new CliError(exitCodes.usage, `cannot load the kubeconfig ${source}: ${reason}`);
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new CliError(exitCodes.usage, `--context: no context "${options.context}" in ${source} (contexts: ${known})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new CliError(exitCodes.usage, `the kubeconfig ${source} has no cluster for context "${kc.getCurrentContext()}"`);
  }
  return kc;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
