import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, loadYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { renderCrdFiles } from '../../generators/crd-files.js';

const crdDir = join(import.meta.dirname, '..', '..', '..', 'config', 'crd');

/**
 * The committed CRDs (config/crd), loaded into client-node's models: its serializer writes only
 * the fields it knows by their model names, and would silently drop `default` from plain YAML.
 */
export function committedCrds(): V1CustomResourceDefinition[] {
  return [...renderCrdFiles().keys()].map((file) => loadYaml<V1CustomResourceDefinition>(readFileSync(join(crdDir, file), 'utf8')));
}

/** Creates (or replaces) the CRDs and waits until the API server serves them. */
export async function installCrds(kc: KubeConfig, crds: V1CustomResourceDefinition[] = committedCrds()): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    const name = crd.metadata!.name!;
    try {
      await api.createCustomResourceDefinition({ body: crd });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
      const existing = await api.readCustomResourceDefinition({ name });
      await api.replaceCustomResourceDefinition({ name, body: { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.metadata!.resourceVersion } } });
    }
  }
  for (const crd of crds) await waitEstablished(api, crd.metadata!.name!);
}

async function waitEstablished(api: ApiextensionsV1Api, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const crd = await api.readCustomResourceDefinition({ name });
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    if (established) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} not established after 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
