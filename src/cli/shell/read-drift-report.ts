import { decodeDriftReport, type DriftEntry } from '../../operator/core/drift-report.js';
import { operatorDefaults } from '../../operator/core/operator-defaults.js';
import type { ClusterOptions } from '../core/flags.js';
import { request, requestError } from './list-client-intents.js';
import { connectUserKube } from './user-kube-client.js';
import type { Streams } from './write-export.js';

/**
 * The operator's drift report (ConfigMap network-mapper-drift in its namespace); undefined when
 * there is none (an operator without it, or none installed) or it may not be read: then the CLI
 * compares on its own.
 */
export async function readDriftReport(cluster: ClusterOptions, installNamespace: string, streams: Streams): Promise<DriftEntry[] | undefined> {
  const client = await connectUserKube(cluster);
  const path = `/api/v1/namespaces/${encodeURIComponent(installNamespace)}/configmaps/${encodeURIComponent(operatorDefaults.driftConfigMap)}`;
  const context = { server: client.server, verb: 'get', resource: 'configmaps', namespace: installNamespace };
  try {
    const found = await request<{ data?: Record<string, string> }>(client, { method: 'GET', path }, context, cluster.requestTimeoutSeconds);
    const { entries, problems } = decodeDriftReport(found.data);
    for (const problem of problems) streams.stderr(`warning: ${problem}\n`);
    return entries;
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === 404) return undefined;
    if (code === 403) {
      streams.stderr(`warning: cannot read the drift report (configmaps/${operatorDefaults.driftConfigMap} in ${installNamespace}: forbidden); comparing without it\n`);
      return undefined;
    }
    throw requestError(error, context, cluster.requestTimeoutSeconds);
  }
}
