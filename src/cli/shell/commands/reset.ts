import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { clientIntentsDefinition } from '../../../crds/client-intents.js';
import { networkObservationDefinition } from '../../../crds/network-observation.js';
import { errorFields } from '../../../shared/logger.js';
import { managedByLabel, managedByValue } from '../../../shared/ownership.js';
import { classifyError, connectionProblem, type RequestContext } from '../../core/classify-error.js';
import { describeResetPlan, type ResetCommand } from '../../core/commands/reset.js';
import { CliError, exitCodes } from '../../core/exit-codes.js';
import { listPages, withTimeout } from '../list-client-intents.js';
import { loadUserKubeConfig } from '../user-kube-config.js';
import type { Streams } from '../write-export.js';

type Resource = { group: string; version: string; plural: string };

const managedSelector = `${managedByLabel}=${managedByValue}`;

/** Lists first (to say what goes), asks, then deletes namespace by namespace with the label selector. */
export async function runReset(command: ResetCommand, streams: Streams): Promise<number> {
  const kc = loadUserKubeConfig(command.cluster);
  const api = kc.makeApiClient(CustomObjectsApi);
  const timeout = command.cluster.requestTimeoutSeconds;
  const intents = await countByNamespace(kc, api, clientIntentsDefinition, command.namespaces, managedSelector, timeout);
  // Every NetworkObservation is network-mapper's own (its CRD); a cluster without the CRD has none.
  const observations = await countByNamespace(kc, api, networkObservationDefinition, [], undefined, timeout).catch((error: unknown) => {
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
  for (const namespace of [...intents.keys()].sort()) await deleteAll(kc, api, clientIntentsDefinition, namespace, managedSelector, timeout);
  for (const namespace of [...observations.keys()].sort()) await deleteAll(kc, api, networkObservationDefinition, namespace, undefined, timeout);
  streams.stderr(`Deleted ${describeResetPlan(plan)}.\n`);
  return exitCodes.ok;
}

async function countByNamespace(kc: KubeConfig, api: CustomObjectsApi, resource: Resource, namespaces: readonly string[], labelSelector: string | undefined, timeout: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const namespace of namespaces.length > 0 ? namespaces : [undefined]) {
    const context = requestContext(kc, 'list', resource, namespace);
    try {
      const items = await listPages(api, resource, { namespace, labelSelector, pageSize: 500 }, context, timeout);
      for (const item of items) {
        const ns = (item as { metadata?: { namespace?: string } }).metadata?.namespace ?? '';
        counts.set(ns, (counts.get(ns) ?? 0) + 1);
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw classifyError(errorFields(error), connectionProblem(error), context);
    }
  }
  return counts;
}

async function deleteAll(kc: KubeConfig, api: CustomObjectsApi, resource: Resource, namespace: string, labelSelector: string | undefined, timeout: number): Promise<void> {
  const context = requestContext(kc, 'deletecollection', resource, namespace);
  try {
    await withTimeout(api.deleteCollectionNamespacedCustomObject({ ...resource, namespace, ...(labelSelector ? { labelSelector } : {}) }), context, timeout);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw classifyError(errorFields(error), connectionProblem(error), context);
  }
}

function requestContext(kc: KubeConfig, verb: string, resource: Resource, namespace: string | undefined): RequestContext {
  return {
    server: kc.getCurrentCluster()?.server ?? '(unknown server)',
    verb,
    resource: `${resource.plural}.${resource.group}`,
    ...(namespace === undefined ? {} : { namespace }),
  };
}
