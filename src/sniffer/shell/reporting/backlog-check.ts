import { networkObservationDefinition as definition } from '../../../crds/network-observation.js';
import { isUnprocessed, type ObservationPhaseView } from '../../core/backlog.js';
import { nodeLabelValue } from '../../core/object-names.js';
import { customObjects } from '../../../shared/kube/custom-objects.js';
import type { KubeClient } from '../../../shared/kube/kube-client.js';
import { nodeLabel } from './observation-writer.js';

export interface BacklogCheckOptions {
  kube: KubeClient;
  namespace: string;
  nodeName: string;
  requestTimeoutMs?: number;
  /** Rows per list request. */
  pageSize?: number;
}

export interface BacklogCheck {
  /** This node's unprocessed NetworkObservations, counted up to `atMost` (enough to decide). */
  unprocessed(atMost: number): Promise<number>;
}

/* The CRD's printer columns that carry what the check reads (src/crds is their single source). */
const columnOf = (jsonPath: string): string => {
  const column = definition.printerColumns.find((c) => c.jsonPath === jsonPath);
  if (!column) throw new Error(`the NetworkObservation CRD has no printer column for ${jsonPath}`);
  return column.name;
};
const nodeColumn = columnOf('.spec.nodeName');
const phaseColumn = columnOf('.status.phase');

type Counted = ObservationPhaseView & { nodeName?: unknown };

/**
 * Lists this node's objects as a server-side Table of printer columns: the operator lagging
 * behind is exactly when there are many objects, each up to 512 KiB, and the check needs only
 * node and phase. If the installed CRD lacks those columns, it lists whole objects instead.
 */
export function createBacklogCheck(options: BacklogCheckOptions): BacklogCheck {
  const api = customObjects(options.kube, { group: definition.group, version: definition.version, plural: definition.plural, namespace: options.namespace });
  const labelSelector = `${nodeLabel}=${nodeLabelValue(options.nodeName)}`;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  let tables = true;

  async function page(continueToken: string | undefined): Promise<{ items: Counted[]; continue?: string } | 'no-columns'> {
    if (tables) {
      const table = await api.listTable({ labelSelector, limit: options.pageSize ?? 500, continue: continueToken, timeoutMs });
      const first = table.items[0];
      if (first && !(nodeColumn in first.cells && phaseColumn in first.cells)) return 'no-columns';
      const items = table.items.map(({ cells }) => {
        const phase = cells[phaseColumn];
        return { nodeName: cells[nodeColumn], status: typeof phase === 'string' && phase !== '' ? { phase } : undefined };
      });
      return { items, continue: table.continue };
    }
    const list = await api.list<ObservationPhaseView & { spec?: { nodeName?: string } }>({
      labelSelector,
      limit: Math.min(options.pageSize ?? 25, 25),
      continue: continueToken,
      timeoutMs,
    });
    return { items: list.items.map((item) => ({ nodeName: item.spec?.nodeName, status: item.status })), continue: list.continue };
  }

  return {
    async unprocessed(atMost) {
      let count = 0;
      let continueToken: string | undefined;
      for (;;) {
        const result = await page(continueToken);
        if (result === 'no-columns') {
          tables = false;
          continue;
        }
        for (const item of result.items) {
          if (item.nodeName === options.nodeName && isUnprocessed(item)) count += 1;
        }
        continueToken = result.continue;
        if (!continueToken || count >= atMost) break;
      }
      return Math.min(count, atMost);
    },
  };
}
