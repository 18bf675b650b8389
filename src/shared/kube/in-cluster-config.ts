import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedServer, KubeConfigError, type KubeClientConfig } from './kube-client-config.js';

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The pod's own ServiceAccount: API server from the KUBERNETES_SERVICE_* variables, CA and
 * namespace from the mounted files, and the token as a file (the kubelet rotates it).
 */
export function inClusterConfig(
  env: Record<string, string | undefined>,
  dir = serviceAccountDir,
  readFile: (path: string) => Buffer = readFileSync,
): KubeClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeConfigError('not running in a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset) and KUBECONFIG is not set');
  }
  const where = `in-cluster ServiceAccount (${dir})`;
  const read = (file: string): Buffer => {
    try {
      return readFile(join(dir, file));
    } catch (error) {
      throw new KubeConfigError(`${where}: cannot read ${file}: ${(error as Error).message}`);
    }
  };
  const ca = read('ca.crt');
  read('token'); // fail now, not at the first request
  let namespace: string | undefined;
  try {
    namespace = readFile(join(dir, 'namespace')).toString('utf8').trim() || undefined;
  } catch {
    namespace = undefined;
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    server: checkedServer(`https://${hostPart}:${port}`, where),
    ca,
    insecureSkipTlsVerify: false,
    tokenFile: join(dir, 'token'),
    namespace,
    origin: where,
  };
}
