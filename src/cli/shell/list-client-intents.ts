import type { KubeClient } from '../../shared/kube/kube-client.js';
import { KubeTimeoutError } from '../../shared/kube/kube-errors.js';
import { errorFields } from '../../shared/error-fields.js';
import { clientIntentsResource, qualifiedResource } from '../../crds/resource-names.js';
import { CliError } from '../core/exit-codes.js';
import { classifyError, connectionProblem, timeoutError, type RequestContext } from '../core/classify-error.js';
import { managedByLabel, managedByValue } from '../../shared/ownership.js';
import type { Selection } from '../core/selection.js';

const defaultPageSize = 500;
/**
 * v2beta1 first; Intents Operators older than v3 serve only v2alpha1, with the same body, so a
 * 404 on v2beta1 is worth one more try before calling the CRD missing.
 */
export const intentsVersions = [clientIntentsResource.version, 'v2alpha1'] as const;

/** A resource's API group (`''` for the core group), version and plural. */
export interface ApiResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

/** The collection's path, in one namespace or (without one) across all of them. */
export function collectionPath({ group, version, plural }: ApiResource, namespace: string | undefined): string {
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  return namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}

/** The raw ClientIntents items in the selected namespaces (all namespaces if none), read page by page. */
export async function listClientIntents(client: KubeClient, selection: Selection, timeoutSeconds: number, pageSize = defaultPageSize): Promise<unknown[]> {
  // Managed-only is the default: let the API server filter, so big clusters send less.
  const labelSelector = selection.includeUserManaged ? undefined : `${managedByLabel}=${managedByValue}`;
  const scopes: (string | undefined)[] = selection.namespaces.length > 0 ? [...selection.namespaces] : [undefined];
  const items: unknown[] = [];
  for (const namespace of scopes) {
    const context: RequestContext = {
      server: client.server,
      verb: 'list',
      resource: qualifiedResource(clientIntentsResource),
      ...(namespace === undefined ? {} : { namespace }),
    };
    items.push(...(await listScope(client, { namespace, labelSelector, pageSize }, context, timeoutSeconds)));
  }
  return items;
}

export interface Scope {
  namespace: string | undefined;
  labelSelector: string | undefined;
  pageSize: number;
}

async function listScope(client: KubeClient, scope: Scope, context: RequestContext, timeoutSeconds: number): Promise<unknown[]> {
  for (const [i, version] of intentsVersions.entries()) {
    try {
      return await listPages(client, { ...clientIntentsResource, version }, scope, context, timeoutSeconds);
    } catch (error) {
      if (error instanceof CliError) throw error;
      if ((error as { code?: unknown }).code === 404 && i < intentsVersions.length - 1) continue;
      throw requestError(error, context, timeoutSeconds);
    }
  }
  return [];
}

/**
 * Every item of one resource in one namespace (or all), page by page. A timeout is already the
 * CLI's error; an API error is passed on as it is (callers treat a 404 their own way).
 */
export async function listPages(
  client: KubeClient,
  resource: ApiResource,
  { namespace, labelSelector, pageSize }: Scope,
  context: RequestContext,
  timeoutSeconds: number,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const list = await request<{ items?: unknown[]; metadata?: { continue?: string } }>(
      client,
      { method: 'GET', path: collectionPath(resource, namespace), query: { labelSelector, limit: pageSize, continue: token } },
      context,
      timeoutSeconds,
    );
    items.push(...(list.items ?? []));
    token = list.metadata?.continue || undefined;
  } while (token);
  return items;
}

/** One request with `--request-timeout` as its deadline; a timeout becomes the CLI's exit code 3. */
export async function request<T>(
  client: KubeClient,
  what: { method: 'GET' | 'DELETE'; path: string; query?: Record<string, string | number | undefined> },
  context: RequestContext,
  timeoutSeconds: number,
): Promise<T> {
  try {
    return await client.request<T>({ ...what, timeoutMs: timeoutSeconds * 1000 });
  } catch (error) {
    if (error instanceof KubeTimeoutError) throw timeoutError(context, timeoutSeconds);
    throw error;
  }
}

/** A failed request as the CLI reports it (exit code and one sentence). */
export function requestError(error: unknown, context: RequestContext, timeoutSeconds: number): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof KubeTimeoutError) return timeoutError(context, timeoutSeconds);
  return classifyError(errorFields(error), connectionProblem(error), context);
}
