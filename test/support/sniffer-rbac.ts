import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesObjectApi, loadAllYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { ControlPlane } from './control-plane.js';

const rbacDir = join(import.meta.dirname, '..', '..', '..', 'config', 'rbac');
export const snifferServiceAccount = 'network-mapper-sniffer';
const snifferFiles = ['sniffer-service-account.yaml', 'sniffer-role.yaml', 'sniffer-role-binding.yaml'];

/** The committed sniffer RBAC (config/rbac/sniffer-*.yaml), moved into `namespace`. */
export function snifferRbacObjects(namespace: string): KubernetesObject[] {
  return snifferFiles.flatMap((file) =>
    (loadAllYaml(readFileSync(join(rbacDir, file), 'utf8')) as KubernetesObject[]).map((object) => {
      const moved = { ...object, metadata: { ...object.metadata, namespace } } as KubernetesObject & { subjects?: { namespace?: string }[] };
      if (moved.subjects) moved.subjects = moved.subjects.map((s) => ({ ...s, namespace }));
      return moved;
    }),
  );
}

/**
 * Applies the sniffer's RBAC in `namespace` (which must exist) and returns a KubeConfig that
 * authenticates as its ServiceAccount with a real token.
 */
export async function snifferKubeConfig(controlPlane: ControlPlane, namespace: string): Promise<KubeConfig> {
  const api = KubernetesObjectApi.makeApiClient(controlPlane.admin());
  for (const object of snifferRbacObjects(namespace)) {
    try {
      await api.create(object);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
  return controlPlane.serviceAccount(namespace, snifferServiceAccount);
}
