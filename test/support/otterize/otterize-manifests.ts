import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdmissionregistrationV1Api, loadAllYaml, loadYaml,
  type KubeConfig, type V1CustomResourceDefinition, type V1ValidatingWebhookConfiguration, type AdmissionregistrationV1WebhookClientConfig,
} from '@kubernetes/client-node';
import { installCrds } from '../crds.js';
import type { OtterizeDir } from './otterize-dir.js';

export const webhookConfigurationName = 'otterize-validating-webhook-configuration';

/** Points a webhook client config at the server's URL instead of the Service the manifests name. */
function urlClientConfig(baseUrl: string, path: string, caPem: string): AdmissionregistrationV1WebhookClientConfig {
  return { url: `${baseUrl}${path}`, caBundle: Buffer.from(caPem).toString('base64') };
}

/**
 * Otterize's five CRDs as it ships them, with the conversion webhook reached by URL: on a control
 * plane without a pod network the API server cannot reach the webhook Service.
 */
export function otterizeCrds(dir: OtterizeDir, baseUrl: string, caPem: string): V1CustomResourceDefinition[] {
  return readdirSync(dir.crdDir).filter((f) => f.endsWith('.yaml')).sort().map((file) => {
    const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(join(dir.crdDir, file), 'utf8'));
    const webhook = crd.spec.conversion?.webhook;
    if (webhook?.clientConfig) webhook.clientConfig = urlClientConfig(baseUrl, webhook.clientConfig.service?.path ?? '/convert', caPem);
    return crd;
  });
}

/** The shipped ValidatingWebhookConfiguration (failurePolicy Fail everywhere), reached by URL. */
export function otterizeWebhookConfiguration(dir: OtterizeDir, baseUrl: string, caPem: string): V1ValidatingWebhookConfiguration {
  const [config] = (loadAllYaml(readFileSync(dir.webhookManifest, 'utf8')) as V1ValidatingWebhookConfiguration[])
    .filter((o) => o?.kind === 'ValidatingWebhookConfiguration');
  if (!config) throw new Error(`${dir.webhookManifest} holds no ValidatingWebhookConfiguration`);
  config.metadata = { name: webhookConfigurationName, labels: { 'app.kubernetes.io/part-of': 'otterize' } };
  for (const webhook of config.webhooks ?? []) {
    const path = webhook.clientConfig.service?.path;
    if (!path) throw new Error(`webhook ${webhook.name} names no path`);
    webhook.clientConfig = urlClientConfig(baseUrl, path, caPem);
  }
  return config;
}

export async function installOtterizeManifests(admin: KubeConfig, dir: OtterizeDir, baseUrl: string, caPem: string): Promise<void> {
  await installCrds(admin, otterizeCrds(dir, baseUrl, caPem));
  const api = admin.makeApiClient(AdmissionregistrationV1Api);
  const body = otterizeWebhookConfiguration(dir, baseUrl, caPem);
  try {
    await api.createValidatingWebhookConfiguration({ body });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
    const existing = await api.readValidatingWebhookConfiguration({ name: webhookConfigurationName });
    await api.replaceValidatingWebhookConfiguration({ name: webhookConfigurationName, body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } } });
  }
}
