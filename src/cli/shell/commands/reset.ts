import { clientIntentsResource, networkObservationResource, qualifiedResource } from '../../../crds/resource-names.js';
import type { KubeClient } from '../../../shared/kube/kube-client.js';
import { managedByLabel, managedByValue } from '../../../shared/ownership.js';
import type { RequestContext } from '../../core/classify-error.js';
import { describeResetPlan, type ResetCommand } from '../../core/commands/reset.js';
import { CliError, exitCodes } from '../../core/exit-codes.js';
import { collectionPath, listPages, request, requestError, type ApiResource } from '../list-client-intents.js';
import { connectUserKube } from '../user-kube-client.js';
import type { Streams } from '../write-export.js';

const managedSelector = `${managedByLabel}=${managedByValue}`;

/** Lists first (to say what goes), asks, then deletes namespace by namespace with the label selector. */
export async function runReset(command: ResetCommand, streams: Streams): Promise<number> {
  const client = await connectUserKube(command.cluster);
  const timeout = command.cluster.requestTimeoutSeconds;
  const intents = await countByNamespace(client, clientIntentsResource, command.namespaces, managedSelector, timeout);
  // Every NetworkObservation is network-mapper's own (its CRD); a cluster without the CRD has none.
  const observations = await countByNamespace(client, networkObservationResource, [], undefined, timeout).catch((error: unknown) => {
    if (error instanceof CliError && error.exitCode === exitCodes.crdMissing) return new Map<string, number>();
    throw error;
  });
  const plan = { intents, observations };
  if (intents.size === 0 && observations.size === 0) {
    streams.stderr('Nothing to delete: no ClientIntents managed by network-mapper and no NetworkObservations.\n');
    return exitCodes.ok;
  }
  if (!command.yes) {
    if (!streams.ask) throw new CliError(exitCodes.usage, `reset would delete ${describeResetPlan(plan)}; stdin is not a terminal, so add --yes to confirm`);
    const answer = await streams.ask(`Delete ${describeResetPlan(plan)}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      streams.stderr('Nothing deleted.\n');
      return exitCodes.ok;
    }
  }
  for (const namespace of [...intents.keys()].sort()) await deleteAll(client, clientIntentsResource, namespace, managedSelector, timeout);
  for (const namespace of [...observations.keys()].sort()) await deleteAll(client, networkObservationResource, namespace, undefined, timeout);
  streams.stderr(`Deleted ${describeResetPlan(plan)}.\n`);
  return exitCodes.ok;
}

async function countByNamespace(client: KubeClient, resource: ApiResource, namespaces: readonly string[], labelSelector: string | undefined, timeout: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const namespace of namespaces.length > 0 ? namespaces : [undefined]) {
    const context = requestContext(client, 'list', resource, namespace);
    try {
      const items = await listPages(client, resource, { namespace, labelSelector, pageSize: 500 }, context, timeout);
      for (const item of items) {
        const ns = (item as { metadata?: { namespace?: string } }).metadata?.namespace ?? '';
        counts.set(ns, (counts.get(ns) ?? 0) + 1);
      }
    } catch (error) {
      throw requestError(error, context, timeout);
    }
  }
  return counts;
}

async function deleteAll(client: KubeClient, resource: ApiResource, namespace: string, labelSelector: string | undefined, timeout: number): Promise<void> {
  const context = requestContext(client, 'deletecollection', resource, namespace);
  try {
    await request(client, { method: 'DELETE', path: collectionPath(resource, namespace), query: { labelSelector } }, context, timeout);
  } catch (error) {
    throw requestError(error, context, timeout);
  }
}

function requestContext(client: KubeClient, verb: string, resource: ApiResource, namespace: string | undefined): RequestContext {
  return { server: client.server, verb, resource: qualifiedResource(resource), ...(namespace === undefined ? {} : { namespace }) };
}
