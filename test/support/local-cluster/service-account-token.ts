import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';

/** Where a kubelet mounts the kube-api-access projected volume. */
export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The kubelet's default for the projected token (an hour plus a little, so it never coincides with a refresh). */
const expirationSeconds = 3607;
const maxRefreshAfterMs = 24 * 3600 * 1000;

/** When a kubelet renews a projected token: at 80 % of its life, and at least daily. */
export function tokenRefreshAt(issuedAt: number, expiresAt: number): number {
  return issuedAt + Math.min(0.8 * (expiresAt - issuedAt), maxRefreshAfterMs);
}

function writeAtomically(dir: string, name: string, content: string): void {
  const temporary = join(dir, `.${name}.tmp`);
  writeFileSync(temporary, content, { mode: 0o644 });
  renameSync(temporary, join(dir, name));
}

/**
 * A TokenRequest for the pod's ServiceAccount, bound to the pod, for the API server's default
 * audience, written with the cluster CA and the namespace as the kube-api-access volume holds
 * them. Returns when to refresh it.
 */
export async function projectServiceAccountToken(core: CoreV1Api, pod: V1Pod, dir: string, caPem: string): Promise<number> {
  const namespace = pod.metadata!.namespace!;
  const serviceAccount = pod.spec?.serviceAccountName || 'default';
  const issuedAt = Date.now();
  const response = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: {
      spec: {
        audiences: [],
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! },
      },
    },
  });
  const token = response.status?.token;
  if (!token) throw new Error(`the TokenRequest for ServiceAccount ${namespace}/${serviceAccount} returned no token`);
  mkdirSync(dir, { recursive: true });
  writeAtomically(dir, 'ca.crt', caPem);
  writeAtomically(dir, 'namespace', namespace);
  writeAtomically(dir, 'token', token);
  const expiresAt = response.status?.expirationTimestamp ? new Date(response.status.expirationTimestamp).getTime() : issuedAt + expirationSeconds * 1000;
  return tokenRefreshAt(issuedAt, expiresAt);
}

/** Whether the pod gets the token: the pod's automountServiceAccountToken, else its ServiceAccount's, else yes. */
export async function mountsServiceAccountToken(core: CoreV1Api, pod: V1Pod): Promise<boolean> {
  if (pod.spec?.automountServiceAccountToken !== undefined) return pod.spec.automountServiceAccountToken;
  const account = await core.readNamespacedServiceAccount({ name: pod.spec?.serviceAccountName || 'default', namespace: pod.metadata!.namespace! });
  return account.automountServiceAccountToken !== false;
}
