import { CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { clientIntentsDefinition } from '../../crds/client-intents.js';
import { errorFields } from '../../shared/logger.js';
import { classifyError, connectionProblem } from '../core/classify-error.js';
import { readIntentsObject, type IntentsObject } from '../core/intents-object.js';
import { intentsVersions } from './list-client-intents.js';

/** After a watch error, wait this long before listing and watching again. */
const restartDelayMs = 2_000;

export interface IntentsWatch {
  /** The ClientIntents as they are now, malformed items left out. */
  current(): IntentsObject[];
  stop(): Promise<void>;
}

/**
 * A first list or watch that fails is a CliError (exit 3, 4 or 5 as for the other commands).
 * Every ClientIntents (managed or not: `diff` needs both) in the namespaces given, or cluster-wide,
 * kept current by client-node's informers (list, then watch), in v2beta1 or, where an Intents
 * Operator before v3 serves only that, v2alpha1 (the same body). Their caches are the only copy held:
 * the current set, nothing older. `onChange` runs after every add, update and delete.
 */
export async function watchClientIntents(
  kc: KubeConfig,
  namespaces: readonly string[],
  onChange: () => void,
  onError: (message: string) => void,
): Promise<IntentsWatch> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const { group, plural } = clientIntentsDefinition;
  const scopes: (string | undefined)[] = namespaces.length > 0 ? [...namespaces] : [undefined];
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const resource = `${plural}.${group}`;
  const version = await servedIntentsVersion(api, scopes[0]).catch((error: unknown) => {
    throw classifyError(errorFields(error), connectionProblem(error), { server, verb: 'list', resource, ...(scopes[0] === undefined ? {} : { namespace: scopes[0] }) });
  });
  let stopped = false;
  let starting = true;
  const startErrors: unknown[] = [];
  const informers = scopes.map((namespace, index) => {
    const path = namespace === undefined ? `/apis/${group}/${version}/${plural}` : `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
    const list = () =>
      (namespace === undefined
        ? api.listClusterCustomObject({ group, version, plural })
        : api.listNamespacedCustomObject({ group, version, plural, namespace })) as Promise<KubernetesListObject<KubernetesObject>>;
    const informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject> = makeInformer(kc, path, list);
    for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, onChange);
    informer.on('error', (error) => {
      if (stopped) return;
      // client-node reports a refused watch here, not by start() failing: at start it is fatal.
      if (starting) {
        startErrors[index] ??= error;
        return;
      }
      onError(`watching ClientIntents${namespace ? ` in ${namespace}` : ''} failed (${errorFields(error).error}); again in ${restartDelayMs / 1000} s`);
      setTimeout(() => {
        if (!stopped) informer.start().catch(() => undefined);
      }, restartDelayMs).unref();
    });
    return informer;
  });
  try {
    await Promise.all(
      informers.map((informer, i) =>
        informer
          .start()
          .then(() => {
            if (startErrors[i] !== undefined) throw startErrors[i];
          })
          .catch((error: unknown) => {
            const namespace = scopes[i];
            throw classifyError(watchErrorFields(error), connectionProblem(error), { server, verb: 'watch', resource, ...(namespace === undefined ? {} : { namespace }) });
          }),
      ),
    );
    starting = false;
  } catch (error) {
    stopped = true;
    await Promise.all(informers.map((i) => i.stop()));
    throw error;
  }
  return {
    current: () => informers.flatMap((i) => i.list()).flatMap((item) => {
      const read = readIntentsObject(item);
      return read.ok ? [read.object] : [];
    }),
    stop: async () => {
      stopped = true;
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}

/** client-node's watch puts the HTTP status in `statusCode`, where its API calls use `code`. */
function watchErrorFields(error: unknown): ReturnType<typeof errorFields> {
  const fields = errorFields(error);
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return fields.code === undefined && typeof statusCode === 'number' ? { ...fields, code: statusCode } : fields;
}

/**
 * The ClientIntents version to watch in this cluster, found by listing at most one item: v2beta1,
 * else v2alpha1 where only that is served. A watch needs it up front; a list just tries both.
 */
async function servedIntentsVersion(api: CustomObjectsApi, namespace: string | undefined): Promise<string> {
  for (const [i, version] of intentsVersions.entries()) {
    try {
      const page = { ...clientIntentsDefinition, version, limit: 1 };
      await (namespace === undefined ? api.listClusterCustomObject(page) : api.listNamespacedCustomObject({ ...page, namespace }));
      return version;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404 && i < intentsVersions.length - 1) continue;
      throw error;
    }
  }
  return clientIntentsDefinition.version;
}
