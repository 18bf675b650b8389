import { networkObservationDefinition as definition } from '../../../crds/network-observation.js';
import { isUnprocessed, type ObservationPhaseView } from '../../core/backlog.js';
import { nodeLabelValue } from '../../core/object-names.js';
import { customObjects } from '../kube/custom-objects.js';
import type { KubeClient } from '../kube/kube-client.js';
import { nodeLabel } from './observation-writer.js';

export interface BacklogCheckOptions {
  kube: KubeClient;
  namespace: string;
  nodeName: string;
  requestTimeoutMs?: number;
  /** Objects per list request: small, because one object can approach 1 MiB. */
  pageSize?: number;
}

export interface BacklogCheck {
  /** This node's unprocessed NetworkObservations, counted up to `atMost` (enough to decide). */
  unprocessed(atMost: number): Promise<number>;
}

export function createBacklogCheck(options: BacklogCheckOptions): BacklogCheck {
  const api = customObjects(options.kube, { group: definition.group, version: definition.version, plural: definition.plural, namespace: options.namespace });
  const labelSelector = `${nodeLabel}=${nodeLabelValue(options.nodeName)}`;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  return {
    async unprocessed(atMost) {
      let count = 0;
      let continueToken: string | undefined;
      do {
        const page = await api.list<ObservationPhaseView & { spec?: { nodeName?: string } }>({
          labelSelector,
          limit: options.pageSize ?? 25,
          continue: continueToken,
          timeoutMs,
        });
        for (const item of page.items) {
          if (item.spec?.nodeName === options.nodeName && isUnprocessed(item)) count += 1;
        }
        continueToken = page.continue;
      } while (continueToken && count < atMost);
      return Math.min(count, atMost);
    },
  };
}
