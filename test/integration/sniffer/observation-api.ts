import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { createLogger } from '../../../src/shared/logger.js';
import { nodeLabelValue } from '../../../src/sniffer/core/object-names.js';
import { createReportingMetrics, type ReportingMetrics } from '../../../src/sniffer/shell/reporting/reporting-metrics.js';
import { nodeLabel } from '../../../src/sniffer/shell/reporting/observation-writer.js';

/** What the sniffer integration tests read back from the API server (as admin). */
export interface StoredObservation {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: NetworkObservationSpec;
  status?: { phase?: string };
}

export const observationResource = (namespace: string) => ({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace });

export async function listObservations(admin: KubeConfig, namespace: string, nodeName: string): Promise<StoredObservation[]> {
  const list = (await admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    ...observationResource(namespace),
    labelSelector: `${nodeLabel}=${nodeLabelValue(nodeName)}`,
  })) as { items: StoredObservation[] };
  return list.items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

export async function ensureNamespace(admin: KubeConfig, name: string): Promise<void> {
  try {
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

export function testMetrics(): { registry: Registry; metrics: ReportingMetrics } {
  const registry = new Registry();
  return { registry, metrics: createReportingMetrics(registry) };
}

export const quietLogger = createLogger('sniffer-test', process.env.TEST_LOG_LEVEL ?? 'error');
