import { createHash } from 'node:crypto';
import { apiVersionOf } from '../../../crds/resource-definition.js';
import { networkObservationDefinition as definition, type NetworkObservationSpec } from '../../../crds/network-observation.js';
import type { Logger } from '../../../shared/logger.js';
import { canonicalJson } from '../../../shared/canonical-json.js';
import { conflictFreeName, nodeLabelValue } from '../../core/object-names.js';
import type { ObservationPart } from '../../core/window-parts.js';
import { customObjects } from '../../../shared/kube/custom-objects.js';
import type { KubeClient } from '../../../shared/kube/kube-client.js';
import { statusCode } from './api-errors.js';
import type { ReportingMetrics } from './reporting-metrics.js';

export const nodeLabel = 'netmap.dev/node';
export const managedByLabels = { 'app.kubernetes.io/managed-by': 'netmap-sniffer' } as const;

export interface ObservationWriterOptions {
  kube: KubeClient;
  namespace: string;
  nodeName: string;
  logger: Logger;
  metrics: ReportingMetrics;
  requestTimeoutMs?: number;
}

export type WriteResult = 'created' | 'exists';

export interface ObservationWriter {
  /** Creates the part; resolves once it exists. Throws RejectedPartError when it never can. */
  write(part: ObservationPart): Promise<WriteResult>;
}

/** The API server refused the object itself (400, 413, 422): retrying cannot help. */
export class RejectedPartError extends Error {
  override readonly name = 'RejectedPartError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const rejectedCodes = new Set([400, 413, 422]);

export function createObservationWriter(options: ObservationWriterOptions): ObservationWriter {
  const { namespace, logger, metrics } = options;
  const api = customObjects(options.kube, { group: definition.group, version: definition.version, plural: definition.plural, namespace });
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const labels = { ...managedByLabels, [nodeLabel]: nodeLabelValue(options.nodeName) };

  async function create(name: string, spec: NetworkObservationSpec): Promise<WriteResult | 'conflict'> {
    const body = { apiVersion: apiVersionOf(definition), kind: definition.kind, metadata: { name, namespace, labels }, spec };
    const stopTimer = metrics.writeSeconds.startTimer();
    try {
      await api.create(body, { fieldValidation: 'Strict', timeoutMs });
      return 'created';
    } catch (error) {
      const code = statusCode(error);
      if (code === undefined || (code !== 409 && !rejectedCodes.has(code))) throw error;
      if (code !== 409) throw new RejectedPartError(`the API server rejected ${namespace}/${name} (${code})`, code);
    } finally {
      stopTimer();
    }
    // 409: an earlier attempt whose answer was lost, or another writer's object of the same name.
    const existing = await api.get<{ spec?: unknown }>(name, { timeoutMs });
    return canonicalJson(existing.spec) === canonicalJson(spec) ? 'exists' : 'conflict';
  }

  return {
    async write(part) {
      const records = { dnsAnswers: part.spec.dnsAnswers.length, connections: part.spec.connections.length };
      let name = part.name;
      let result = await create(name, part.spec);
      if (result === 'conflict') {
        const hash = createHash('sha256').update(canonicalJson(part.spec)).digest('hex');
        logger.warn('name taken by an object with other records; writing under a content-derived name', { namespace, name, ...records });
        name = conflictFreeName(part.name, hash);
        result = await create(name, part.spec);
        if (result === 'conflict') throw new RejectedPartError(`${namespace}/${name} exists with other records`, 409);
      }
      metrics.objectsWritten.inc({ result });
      logger.info(result === 'created' ? 'NetworkObservation created' : 'NetworkObservation already written by an earlier attempt', {
        namespace,
        name,
        ...records,
      });
      return result;
    },
  };
}
