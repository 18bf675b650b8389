import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { networkObservationDefinition as definition } from '../../../crds/network-observation.js';
import { isUnprocessed, type ObservationPhaseView } from '../../core/backlog.js';
import { nodeLabelValue } from '../../core/object-names.js';
import { withTimeout } from './api-errors.js';
import { nodeLabel } from './observation-writer.js';

export interface BacklogCheckOptions {
  kc: KubeConfig;
  namespace: string;
  nodeName: string;
  requestTimeoutMs?: number;
  pageSize?: number;
}

export interface BacklogCheck {
  /** This node's unprocessed NetworkObservations, counted up to `atMost` (enough to decide). */
  unprocessed(atMost: number): Promise<number>;
}

export function createBacklogCheck(options: BacklogCheckOptions): BacklogCheck {
  const api = options.kc.makeApiClient(CustomObjectsApi);
  const resource = { group: definition.group, version: definition.version, plural: definition.plural, namespace: options.namespace };
  const labelSelector = `${nodeLabel}=${nodeLabelValue(options.nodeName)}`;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  return {
    async unprocessed(atMost) {
      let count = 0;
      let continueToken: string | undefined;
      do {
        const page = (await withTimeout(
          api.listNamespacedCustomObject({ ...resource, labelSelector, limit: options.pageSize ?? 500, _continue: continueToken }),
          timeoutMs,
          `list ${options.namespace}/${definition.plural}`,
        )) as { items?: (ObservationPhaseView & { spec?: { nodeName?: string } })[]; metadata?: { _continue?: string; continue?: string } };
        for (const item of page.items ?? []) {
          if (item.spec?.nodeName === options.nodeName && isUnprocessed(item)) count += 1;
        }
        continueToken = page.metadata?.continue ?? page.metadata?._continue;
      } while (continueToken && count < atMost);
      return Math.min(count, atMost);
    },
  };
}
