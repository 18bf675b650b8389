import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { clientIntentsDefinition } from '../../crds/client-intents.js';
import { errorFields } from '../../shared/logger.js';
import { CliError } from '../core/exit-codes.js';
import { classifyError, connectionProblem, timeoutError, type RequestContext } from '../core/classify-error.js';
import { managedByLabel, managedByValue } from '../../shared/ownership.js';
import type { Selection } from '../core/selection.js';

const defaultPageSize = 500;
/**
 * v2beta1 first; Intents Operators older than v3 serve only v2alpha1, with the same body, so a
 * 404 on v2beta1 is worth one more try before calling the CRD missing.
 */
const versions = [clientIntentsDefinition.version, 'v2alpha1'] as const;

/**
 * The ClientIntents version to read in this cluster, found by listing at most one item: v2beta1,
 * else v2alpha1 where only that is served. A watch needs it up front; a list just tries both.
 */
export async function servedIntentsVersion(api: CustomObjectsApi, namespace: string | undefined): Promise<string> {
  for (const [i, version] of versions.entries()) {
    try {
      const page = { ...clientIntentsDefinition, version, limit: 1 };
      await (namespace === undefined ? api.listClusterCustomObject(page) : api.listNamespacedCustomObject({ ...page, namespace }));
      return version;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404 && i < versions.length - 1) continue;
      throw error;
    }
  }
  return clientIntentsDefinition.version;
}

/** The raw ClientIntents items in the selected namespaces (all namespaces if none), read page by page. */
export async function listClientIntents(kc: KubeConfig, selection: Selection, timeoutSeconds: number, pageSize = defaultPageSize): Promise<unknown[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  // Managed-only is the default: let the API server filter, so big clusters send less.
  const labelSelector = selection.includeUserManaged ? undefined : `${managedByLabel}=${managedByValue}`;
  const scopes: (string | undefined)[] = selection.namespaces.length > 0 ? [...selection.namespaces] : [undefined];
  const items: unknown[] = [];
  for (const namespace of scopes) {
    const context: RequestContext = {
      server,
      verb: 'list',
      resource: `${clientIntentsDefinition.plural}.${clientIntentsDefinition.group}`,
      ...(namespace === undefined ? {} : { namespace }),
    };
    items.push(...(await listScope(api, { namespace, labelSelector, pageSize }, context, timeoutSeconds)));
  }
  return items;
}

export interface Scope {
  namespace: string | undefined;
  labelSelector: string | undefined;
  pageSize: number;
}

async function listScope(
  api: CustomObjectsApi,
  scope: Scope,
  context: RequestContext,
  timeoutSeconds: number,
): Promise<unknown[]> {
  for (const [i, version] of versions.entries()) {
    try {
      return await listPages(api, { ...clientIntentsDefinition, version }, scope, context, timeoutSeconds);
    } catch (error) {
      if (error instanceof CliError) throw error;
      if ((error as { code?: unknown }).code === 404 && i < versions.length - 1) continue;
      throw classifyError(errorFields(error), connectionProblem(error), context);
    }
  }
  return [];
}

/** Every item of one custom resource in one namespace (or all), page by page. */
export async function listPages(
  api: CustomObjectsApi,
  { group, version, plural }: { group: string; version: string; plural: string },
  { namespace, labelSelector, pageSize }: Scope,
  context: RequestContext,
  timeoutSeconds: number,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let _continue: string | undefined;
  do {
    const page = { group, version, plural, limit: pageSize, ...(labelSelector ? { labelSelector } : {}), ...(_continue ? { _continue } : {}) };
    const request = namespace === undefined ? api.listClusterCustomObject(page) : api.listNamespacedCustomObject({ ...page, namespace });
    const list = (await withTimeout(request, context, timeoutSeconds)) as { items?: unknown[]; metadata?: { continue?: string } };
    items.push(...(list.items ?? []));
    _continue = list.metadata?.continue || undefined;
  } while (_continue);
  return items;
}

export async function withTimeout<T>(request: Promise<T>, context: RequestContext, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(context, seconds)), seconds * 1000);
  });
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
