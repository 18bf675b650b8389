import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AdmissionregistrationV1Api, ApiextensionsV1Api, AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ImageSource } from '../local-cluster/node/node-images.js';
import { describePod, helmInstall } from '../local-cluster/network-mapper-release.js';
import { waitFor } from '../wait-for.js';
import type { OtterizeDir } from './otterize-dir.js';

/** The release of Otterize's Intents Operator chart in the local cluster. */
/** Where Otterize's chart installs it. */
export const otterizeNamespace = 'otterize-system';
/** The ValidatingWebhookConfiguration Otterize ships (its webhook manifests and its chart). */
export const webhookConfigurationName = 'otterize-validating-webhook-configuration';
export const otterizeReleaseName = 'otterize';
export const clientIntentsCrdName = 'clientintents.k8s.otterize.com';
/** The Service the chart puts in front of the webhook server; its self-signed certificate is made for it. */
export const webhookServiceName = 'intents-operator-webhook-service';
const imageRepository = 'localhost/otterize';
const removeContainerMain = join(import.meta.dirname, 'remove-container-main.js');
const otterizeScript = join(import.meta.dirname, '..', '..', '..', '..', 'scripts', 'otterize.sh');

/** Raised where Otterize was asked for but cannot be installed; the message says why in one line. */
export class OtterizeUnavailableError extends Error {}

/** The chart's appVersion: the tag of both images it names. */
export function chartAppVersion(dir: OtterizeDir): string {
  const chart = parse(readFileSync(join(dir.chartDir, 'Chart.yaml'), 'utf8')) as { appVersion?: string };
  if (!chart.appVersion) throw new OtterizeUnavailableError(`${dir.chartDir}/Chart.yaml has no appVersion`);
  return String(chart.appVersion);
}

/**
 * The node's copies of the two images Otterize's chart names (as a registry would serve them), by
 * reference; built first by `scripts/otterize.sh images` (buildah, seconds) where they are not yet.
 */
export function otterizeImages(dir: OtterizeDir): Map<string, ImageSource> {
  const tag = chartAppVersion(dir);
  const images = new Map<string, ImageSource>([
    [`${imageRepository}/intents-operator:${tag}`, { layout: dir.operatorImageLayout, tag }],
    [`${imageRepository}/intents-operator-webhook-server:${tag}`, { layout: dir.webhookServerImageLayout, tag }],
  ]);
  const missing = (): boolean => [...images.values()].some(({ layout }) => !existsSync(join(layout, 'index.json')));
  if (missing()) {
    // The script prints the images' directory on stdout and why it failed on stderr.
    const result = spawnSync('bash', [otterizeScript, 'images', dir.root], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0 || missing()) {
      throw new OtterizeUnavailableError(`Otterize's images could not be built into ${dir.root}/images: ${result.stderr.trim().split('\n').pop() ?? `exit ${result.status}`}`);
    }
  }
  return images;
}

export interface OtterizeReleaseOptions {
  readonly helm: string;
  readonly kubeconfigPath: string;
  readonly helmHome: string;
  readonly timeoutMs: number;
}

/**
 * `helm install otterize <its chart> -n otterize-system`, with the images
 * from this node, telemetry off, egress policies on, and its unobtainable metrics sidecar removed
 * (remove-container.ts).
 * Everything else is as shipped: the webhook server makes its self-signed certificate, installs
 * the CRDs with the conversion webhook on its Service, and puts the caBundle into the chart's
 * ValidatingWebhookConfiguration; the API server then reaches the webhook through that Service.
 * Resolves once both Deployments are Ready and the ClientIntents CRD converts through the Service.
 */
export async function installOtterizeRelease(admin: KubeConfig, dir: OtterizeDir, options: OtterizeReleaseOptions): Promise<void> {
  const tag = chartAppVersion(dir);
  await helmInstall({
    helm: options.helm,
    chartDir: dir.chartDir,
    kubeconfigPath: options.kubeconfigPath,
    namespace: otterizeNamespace,
    helmHome: options.helmHome,
    release: otterizeReleaseName,
    values: {
      'operator.repository': imageRepository, 'operator.image': 'intents-operator', 'operator.tag': tag,
      'webhookServer.repository': imageRepository, 'webhookServer.image': 'intents-operator-webhook-server', 'webhookServer.tag': tag,
      'global.telemetry.enabled': false, 'global.telemetry.usage.enabled': false, 'global.telemetry.errors.enabled': false,
      // Off by default in the chart; on, Otterize turns the map's internet targets (and their
      // status.resolvedIPs) into egress rules too, which the main command shows.
      'operator.enableEgressNetworkPolicyCreation': true,
      // The operator's TLS identity for administering Kafka brokers (KafkaServerConfig): the chart
      // mounts Secret intents-operator-spire-tls-controller-manager (tls.crt, tls.key, ca.crt, as
      // cert-manager writes it; the local cluster makes it, kafka-tls.ts) and points the operator at it.
      'operator.autoGenerateTLSUsingCredentialsOperator': true,
      'global.certificateProvider': 'cert-manager',
    },
    postRenderer: [process.execPath, removeContainerMain, 'kube-rbac-proxy'],
  });
  await waitForOtterizeReady(admin, options.timeoutMs);
}

/** Every Deployment of the release Ready, the CRD's conversion on the webhook Service with a caBundle, and the webhooks' caBundle set. */
export async function waitForOtterizeReady(admin: KubeConfig, timeoutMs: number): Promise<void> {
  const apps = admin.makeApiClient(AppsV1Api);
  const core = admin.makeApiClient(CoreV1Api);
  let pods: V1Pod[] = [];
  try {
    await waitFor('Otterize\'s Deployments Ready', async () => {
      pods = (await core.listNamespacedPod({ namespace: otterizeNamespace })).items;
      const deployments = (await apps.listNamespacedDeployment({ namespace: otterizeNamespace })).items;
      return deployments.length === 2 && deployments.every((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1)) ? true : undefined;
    }, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${pods.map(describePod).join('; ') || 'no pods'}`, { cause: error });
  }
  const extensions = admin.makeApiClient(ApiextensionsV1Api);
  const webhooks = admin.makeApiClient(AdmissionregistrationV1Api);
  await waitFor('Otterize\'s CRD converting through its webhook Service, and its webhooks\' caBundle', async () => {
    const crd = await extensions.readCustomResourceDefinition({ name: clientIntentsCrdName });
    const conversion = crd.spec.conversion?.webhook?.clientConfig;
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    const config = await webhooks.readValidatingWebhookConfiguration({ name: webhookConfigurationName });
    const webhooksSigned = (config.webhooks ?? []).every((w) => Boolean(w.clientConfig.caBundle));
    return established && conversion?.service?.name === webhookServiceName && conversion.caBundle && webhooksSigned ? true : undefined;
  }, timeoutMs);
}
