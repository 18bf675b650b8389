import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { otterizeNamespace, waitForOtterizeReady } from './otterize-release.js';
import { waitFor } from '../wait-for.js';

/** The Deployment of Otterize's Intents Operator (its chart's name for it). */
export const otterizeOperatorDeployment = 'intents-operator-controller-manager';

const scale = (admin: KubeConfig, replicas: number): Promise<unknown> =>
  admin.makeApiClient(AppsV1Api).patchNamespacedDeploymentScale(
    { name: otterizeOperatorDeployment, namespace: otterizeNamespace, body: { spec: { replicas } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );

/**
 * Otterize's operator stopped: it makes no NetworkPolicy for ClientIntents written from now on
 * (those it made stay enforced); its webhook server stays up and still admits every write.
 */
export async function pauseOtterizeOperator(admin: KubeConfig, timeoutMs = 60_000): Promise<void> {
  await scale(admin, 0);
  await waitFor('Otterize\'s operator pod gone', async () =>
    (await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: otterizeNamespace })).items.every((p) => !p.metadata?.name?.startsWith(`${otterizeOperatorDeployment}-`)), timeoutMs);
}

/** Otterize's operator back, Ready; it then applies every ClientIntents it missed. */
export async function resumeOtterizeOperator(admin: KubeConfig, timeoutMs = 90_000): Promise<void> {
  await scale(admin, 1);
  await waitForOtterizeReady(admin, timeoutMs);
}
