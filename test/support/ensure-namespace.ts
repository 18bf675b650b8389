import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

/** Creates the namespace unless it exists. */
export async function ensureNamespace(admin: KubeConfig, name: string): Promise<void> {
  try {
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}
