import { CoreV1Api, type KubeConfig, type V1PodList } from '@kubernetes/client-node';
import { createLogger, errorFields } from '../../shared/logger.js';
import type { PodInfo } from '../../operator/core/types.js';
import { ownerKey, resolveWorkloadIdentity, type OwnerLookup } from '../../operator/core/workload-identity.js';
import { podInfo } from '../../shared/shell/pod-info.js';
import { OwnerReader } from '../../shared/shell/owner-reader.js';
import { classifyError, connectionProblem, type RequestContext } from '../core/classify-error.js';
import { CliError } from '../core/exit-codes.js';
import type { Selection } from '../core/selection.js';
import { withTimeout } from './with-timeout.js';

const pageSize = 500;

/**
 * The one command path that still uses client-node (for the operator's OwnerReader), loaded only
 * with `--exclude-labels`.
 * `name.namespace` of every client workload with a pod carrying one of `--exclude-labels`. A
 * pod's workload is found as the operator finds it (workload-name annotation, else the root of
 * its owner chain), so the names match the ClientIntents' spec.workload.name.
 */
export async function labelledClients(kc: KubeConfig, selection: Selection, timeoutSeconds: number): Promise<Set<string>> {
  const clients = new Set<string>();
  if (selection.excludeLabels.length === 0) return clients;
  const api = kc.makeApiClient(CoreV1Api);
  // The owner walk logs at info level when it stops early; the CLI keeps stderr for its own words.
  const owners = new OwnerReader(kc, createLogger('kubectl-netmap', 'warn'));
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const scopes: (string | undefined)[] = selection.namespaces.length > 0 ? [...selection.namespaces] : [undefined];
  for (const { key, value } of selection.excludeLabels) {
    for (const namespace of scopes) {
      const context: RequestContext = { server, verb: 'list', resource: 'pods', ...(namespace === undefined ? {} : { namespace }) };
      try {
        let _continue: string | undefined;
        do {
          const page = { labelSelector: `${key}=${value}`, limit: pageSize, ...(_continue ? { _continue } : {}) };
          const request = namespace === undefined ? api.listPodForAllNamespaces(page) : api.listNamespacedPod({ ...page, namespace });
          const list: V1PodList = await withTimeout(request, context, timeoutSeconds);
          for (const pod of list.items) clients.add(await workloadOf(podInfo(pod, undefined), owners));
          _continue = list.metadata?._continue || undefined;
        } while (_continue);
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw classifyError(errorFields(error), connectionProblem(error), context);
      }
    }
  }
  return clients;
}

/** Each step reads one more owner, so the walk ends within the identity's depth limit. */
async function workloadOf(pod: PodInfo, owners: OwnerReader): Promise<string> {
  const read = new Map<string, OwnerLookup>();
  for (;;) {
    const step = resolveWorkloadIdentity(pod, (namespace, ref) => read.get(ownerKey(namespace, ref)));
    if (step.status === 'resolved') return `${step.identity.name}.${step.identity.namespace}`;
    read.set(ownerKey(step.namespace, step.ref), await owners.read(step.namespace, step.ref));
  }
}
