import { ApiextensionsV1Api, AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { clientIntentsDefinition } from '../../../crds/client-intents.js';
import { generatedByLabel } from '../../../crds/custom-resource-definition.js';
import { networkObservationDefinition } from '../../../crds/network-observation.js';
import { errorFields } from '../../../shared/logger.js';
import { classifyError, connectionProblem, type RequestContext } from '../../core/classify-error.js';
import type { StatusCommand } from '../../core/commands/status.js';
import { CliError, exitCodes } from '../../core/exit-codes.js';
import { decodeWatcherStatus, watcherStatusKey } from '../../../operator/core/kafka/watcher-status.js';
import { operatorConfigSchema } from '../../../operator/core/operator-config.js';
import { isOurCrd, snifferPodLabels, statusReport, type StatusInput, type StatusReport } from '../../core/status-report.js';
import { listPages, withTimeout } from '../list-client-intents.js';
import { loadUserKubeConfig } from '../user-kube-config.js';
import type { Streams } from '../write-export.js';

/** The sniffer DaemonSet's pod labels and the operator Deployment's label, as in config/ and the chart. */
const snifferSelector = Object.entries(snifferPodLabels).map(([k, v]) => `${k}=${v}`).join(',');
const operatorSelector = 'app.kubernetes.io/name=network-mapper';
const kafkaCursorConfigMap = operatorConfigSchema.parse({}).KAFKA_CURSOR_CONFIGMAP;

export async function runStatus(command: StatusCommand, streams: Streams): Promise<number> {
  const report = await readStatus(command);
  streams.stdout(report.text);
  return report.ok ? exitCodes.ok : 1;
}

/** Reads everything first, then judges: a 403 on any read is the documented exit code 5. */
export async function readStatus(command: Pick<StatusCommand, 'namespace' | 'leaseName' | 'cluster'>): Promise<StatusReport> {
  const kc = loadUserKubeConfig(command.cluster);
  const read = reader(kc, command.cluster.requestTimeoutSeconds);
  const ns = command.namespace;
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);

  const nodes = await read({ verb: 'list', resource: 'nodes' }, () => core.listNode());
  const pods = await read({ verb: 'list', resource: 'pods', namespace: ns }, () => core.listNamespacedPod({ namespace: ns, labelSelector: snifferSelector }));
  const deployments = await read({ verb: 'list', resource: 'deployments.apps', namespace: ns }, () => apps.listNamespacedDeployment({ namespace: ns, labelSelector: operatorSelector }));
  const lease = await read({ verb: 'get', resource: 'leases.coordination.k8s.io', namespace: ns }, () =>
    kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: ns, name: command.leaseName }), true);
  const observationContext = context(kc, { verb: 'list', resource: `${networkObservationDefinition.plural}.${networkObservationDefinition.group}`, namespace: ns });
  const observations = await listPages(kc.makeApiClient(CustomObjectsApi), networkObservationDefinition, { namespace: ns, labelSelector: undefined, pageSize: 500 }, observationContext, command.cluster.requestTimeoutSeconds)
    .catch((error: unknown) => {
      if ((error as { code?: number }).code === 404) return [];
      throw classifyError(errorFields(error), connectionProblem(error), observationContext);
    });
  const crdName = `${clientIntentsDefinition.plural}.${clientIntentsDefinition.group}`;
  const crd = await read({ verb: 'get', resource: 'customresourcedefinitions.apiextensions.k8s.io' }, () =>
    kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: crdName }), true);

  // The Kafka watcher's status, in the operator's cursor ConfigMap (docs/kafka.md); absent when no broker was ever followed.
  const kafka = await read({ verb: 'get', resource: 'configmaps', namespace: ns }, () => core.readNamespacedConfigMap({ namespace: ns, name: kafkaCursorConfigMap }), true);

  const operator = deployments?.items[0];
  const input: StatusInput = {
    now: Date.now(),
    namespace: ns,
    nodes: (nodes?.items ?? []).map((n) => n.metadata?.name ?? ''),
    snifferPods: (pods?.items ?? []).map((p) => ({
      name: p.metadata?.name ?? '',
      ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
      ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    })),
    observations: observations.map((item) => {
      const o = item as { metadata?: { creationTimestamp?: string }; spec?: { nodeName?: string; windowEnd?: string }; status?: { phase?: string; unresolved?: { reason: string; count: number }[] } };
      return {
        node: o.spec?.nodeName ?? '',
        created: Date.parse(o.metadata?.creationTimestamp ?? '') || 0,
        windowEnd: Date.parse(o.spec?.windowEnd ?? '') || 0,
        ...(o.status?.phase ? { phase: o.status.phase } : {}),
        unresolved: o.status?.unresolved ?? [],
      };
    }),
    ...(operator ? { operator: { name: operator.metadata?.name ?? '', desired: operator.spec?.replicas ?? 1, ready: operator.status?.readyReplicas ?? 0 } } : {}),
    ...(lease
      ? {
          lease: {
            ...(lease.spec?.holderIdentity ? { holder: lease.spec.holderIdentity } : {}),
            ...(lease.spec?.acquireTime ? { acquired: new Date(lease.spec.acquireTime).getTime() } : {}),
            ...(lease.spec?.renewTime ? { renewed: new Date(lease.spec.renewTime).getTime() } : {}),
            ...(lease.spec?.leaseDurationSeconds ? { durationSeconds: lease.spec.leaseDurationSeconds } : {}),
          },
        }
      : {}),
    ...(crd
      ? {
          crd: {
            ours: isOurCrd(crd.metadata?.labels, generatedByLabel),
            versions: (crd.spec.versions ?? []).filter((v) => v.served).map((v) => v.name),
          },
        }
      : {}),
    ...(kafka ? { kafka: decodeWatcherStatus(kafka.data?.[watcherStatusKey]) ?? 'unreadable' } : {}),
  };
  return statusReport(input);
}

function context(kc: KubeConfig, what: Omit<RequestContext, 'server'>): RequestContext {
  return { server: kc.getCurrentCluster()?.server ?? '(unknown server)', ...what };
}

/** One read with the timeout and the CLI's error classification; `optional`: a 404 is undefined. */
function reader(kc: KubeConfig, timeoutSeconds: number) {
  return async function read<T>(what: Omit<RequestContext, 'server'>, request: () => Promise<T>, optional = false): Promise<T | undefined> {
    const ctx = context(kc, what);
    try {
      return await withTimeout(request(), ctx, timeoutSeconds);
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (optional && (error as { code?: number }).code === 404) return undefined;
      throw classifyError(errorFields(error), connectionProblem(error), ctx);
    }
  };
}
