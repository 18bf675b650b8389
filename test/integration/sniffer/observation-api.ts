import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { createLogger } from '../../../src/shared/logger.js';
import { nodeLabelValue } from '../../../src/sniffer/core/object-names.js';
import { createReportingMetrics, type ReportingMetrics } from '../../../src/sniffer/shell/reporting/reporting-metrics.js';
import { nodeLabel } from '../../../src/sniffer/shell/reporting/observation-writer.js';
import type { ControlPlane } from '../../support/control-plane.js';
import { installCrds } from '../../support/crds.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { snifferKubeConfig } from '../../support/sniffer-rbac.js';
import { ensureNamespace } from '../../support/ensure-namespace.js';

export { ensureNamespace };

/** What the sniffer integration tests read back from the API server (as admin). */
export interface StoredObservation {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: NetworkObservationSpec;
  status?: { phase?: string };
}

export const observationResource = (namespace: string) => ({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace });

export async function listObservations(admin: KubeConfig, namespace: string, nodeName: string): Promise<StoredObservation[]> {
  const request = () =>
    admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      ...observationResource(namespace),
      labelSelector: `${nodeLabel}=${nodeLabelValue(nodeName)}`,
    }) as Promise<{ items: StoredObservation[] }>;
  const list = await retryTooManyRequests(request);
  return list.items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

/**
 * Re-installing a CRD (each test file's before hook does) makes the API server re-initialise its
 * storage for a moment and answer 429 with Retry-After: retry as a real client would.
 */
export async function retryTooManyRequests<T>(request: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if ((error as { code?: number }).code !== 429 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export function testMetrics(): { registry: Registry; metrics: ReportingMetrics } {
  const registry = new Registry();
  return { registry, metrics: createReportingMetrics(registry) };
}

export const quietLogger = createLogger('sniffer-test', process.env.TEST_LOG_LEVEL ?? 'error');

/**
 * The shared control plane with the CRDs, `namespace`, and the sniffer's RBAC in it: an admin
 * KubeConfig and one that authenticates as the sniffer's ServiceAccount.
 */
export async function snifferTestNamespace(namespace: string): Promise<{ controlPlane: ControlPlane; admin: KubeConfig; sniffer: KubeConfig }> {
  const controlPlane = await sharedControlPlane();
  const admin = controlPlane.admin();
  await installCrds(admin);
  await ensureNamespace(admin, namespace);
  return { controlPlane, admin, sniffer: await snifferKubeConfig(controlPlane, namespace) };
}
