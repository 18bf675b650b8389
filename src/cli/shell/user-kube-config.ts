import type { RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { checkedServer, KubeConfigError, type KubeClientConfig } from '../../shared/kube/kube-client-config.js';
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

/**
 * What the small client (src/shared/kube) needs, as client-node works it out for the current
 * context: TLS material, and the credentials as headers (running exec plugins if needed).
 */
export async function kubeClientConfigOf(kc: KubeConfig): Promise<KubeClientConfig> {
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  const where = `the kubeconfig's context ${kc.getCurrentContext()}`;
  try {
    return {
      server: checkedServer(kc.getCurrentCluster()?.server, where),
      ca: pem(options.ca),
      clientCert: pem(options.cert),
      clientKey: pem(options.key as RequestOptions['cert']),
      insecureSkipTlsVerify: options.rejectUnauthorized === false,
      ...(options.servername ? { tlsServerName: options.servername } : {}),
      headers,
      origin: where,
    };
  } catch (error) {
    if (error instanceof KubeConfigError) throw new CliError(exitCodes.usage, error.message);
    throw error;
  }
}

function pem(value: RequestOptions['ca']): Buffer | undefined {
  if (value === undefined) return undefined;
  const parts = Array.isArray(value) ? value : [value];
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part as Uint8Array))));
}
