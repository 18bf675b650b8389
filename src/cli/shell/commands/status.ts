import { clientIntentsResource, networkObservationResource, qualifiedResource } from '../../../crds/resource-names.js';
import { managedByLabel, managedByValue } from '../../../shared/ownership.js';
import type { KubeClient } from '../../../shared/kube/kube-client.js';
import type { RequestContext } from '../../core/classify-error.js';
import type { StatusCommand } from '../../core/commands/status.js';
import { CliError, exitCodes } from '../../core/exit-codes.js';
import { decodeWatcherStatus, watcherStatusKey } from '../../../operator/core/kafka/watcher-status.js';
import { operatorDefaults } from '../../../operator/core/operator-defaults.js';
import { isOurCrd, snifferPodLabels, statusReport, type StatusInput, type StatusReport } from '../../core/status-report.js';
import { readIntentsObject } from '../../core/intents-object.js';
import { defaultStableForMs, parseDuration, readinessOf, stableForAnnotation } from '../../core/readiness.js';
import { listClientIntents, listPages, request, requestError } from '../list-client-intents.js';
import { connectUserKube } from '../user-kube-client.js';
import type { Streams } from '../write-export.js';

/** The sniffer DaemonSet's pod labels and the operator Deployment's label, as in config/ and the chart. */
const snifferSelector = Object.entries(snifferPodLabels).map(([k, v]) => `${k}=${v}`).join(',');
const operatorSelector = 'app.kubernetes.io/name=network-mapper';

/** The fields of each object that `status` reads, as the API server sends them (JSON). */
interface Metadata {
  name?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface List<T> {
  items: T[];
}
interface Pod {
  metadata?: Metadata;
  spec?: { nodeName?: string };
  status?: { conditions?: { type: string; status: string }[] };
}
interface Deployment {
  metadata?: Metadata;
  spec?: { replicas?: number };
  status?: { readyReplicas?: number };
}
interface Lease {
  spec?: { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseDurationSeconds?: number };
}
interface Crd {
  metadata?: Metadata;
  spec: { versions?: { name: string; served: boolean }[] };
}

export async function runStatus(command: StatusCommand, streams: Streams): Promise<number> {
  const report = await readStatus(command);
  streams.stdout(report.text);
  return report.ok ? exitCodes.ok : 1;
}

/** Reads everything first, then judges: a 403 on any read is the documented exit code 5. */
export async function readStatus(command: Pick<StatusCommand, 'namespace' | 'leaseName' | 'cluster'>): Promise<StatusReport> {
  const client = await connectUserKube(command.cluster);
  const timeout = command.cluster.requestTimeoutSeconds;
  const read = reader(client, timeout);
  const ns = command.namespace;
  const enc = encodeURIComponent;

  const nodes = await read<List<{ metadata?: Metadata }>>({ verb: 'list', resource: 'nodes' }, '/api/v1/nodes');
  const pods = await read<List<Pod>>({ verb: 'list', resource: 'pods', namespace: ns }, `/api/v1/namespaces/${enc(ns)}/pods`, { labelSelector: snifferSelector });
  const deployments = await read<List<Deployment>>({ verb: 'list', resource: 'deployments.apps', namespace: ns }, `/apis/apps/v1/namespaces/${enc(ns)}/deployments`, { labelSelector: operatorSelector });
  const lease = await read<Lease>({ verb: 'get', resource: 'leases.coordination.k8s.io', namespace: ns }, `/apis/coordination.k8s.io/v1/namespaces/${enc(ns)}/leases/${enc(command.leaseName)}`, {}, true);
  const observationContext: RequestContext = { server: client.server, verb: 'list', resource: qualifiedResource(networkObservationResource), namespace: ns };
  const observations = await listPages(client, networkObservationResource, { namespace: ns, labelSelector: undefined, pageSize: 500 }, observationContext, timeout)
    .catch((error: unknown) => {
      if ((error as { code?: number }).code === 404) return [];
      throw requestError(error, observationContext, timeout);
    });
  const crdName = qualifiedResource(clientIntentsResource);
  const crd = await read<Crd>({ verb: 'get', resource: 'customresourcedefinitions.apiextensions.k8s.io' }, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${enc(crdName)}`, {}, true);

  // The Kafka watcher's status, in the operator's cursor ConfigMap (docs/kafka.md); absent when no broker was ever followed.
  const kafka = await read<{ data?: Record<string, string> }>({ verb: 'get', resource: 'configmaps', namespace: ns }, `/api/v1/namespaces/${enc(ns)}/configmaps/${enc(operatorDefaults.kafkaCursorConfigMap)}`, {}, true);

  const operator = deployments?.items[0];
  const readiness = crd ? await readReadiness(client, operator?.metadata?.annotations?.[stableForAnnotation], command.cluster.requestTimeoutSeconds) : undefined;
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
            // The label the CRD generator (src/crds) puts on network-mapper's own CRD.
            ours: isOurCrd(crd.metadata?.labels, { [managedByLabel]: managedByValue }),
            versions: (crd.spec.versions ?? []).filter((v) => v.served).map((v) => v.name),
          },
        }
      : {}),
    ...(readiness ? { readiness } : {}),
    ...(kafka ? { kafka: decodeWatcherStatus(kafka.data?.[watcherStatusKey]) ?? 'unreadable' } : {}),
  };
  return statusReport(input);
}

/**
 * network-mapper's ClientIntents judged against the operator's stable period (its annotation,
 * else 7 days). Not readable (forbidden): left out of the screen; any other failure (such as
 * the API server's 429 while a new CRD's storage initializes) is one line of the screen, not its end.
 */
async function readReadiness(client: KubeClient, annotation: string | undefined, timeoutSeconds: number): Promise<StatusInput['readiness']> {
  const stableForMs = (annotation === undefined ? undefined : parseDuration(annotation)) ?? defaultStableForMs;
  const selection = { namespaces: [], includeUserManaged: false, excludeServices: [], excludeLabels: [] };
  let items: unknown[];
  try {
    items = await listClientIntents(client, selection, timeoutSeconds);
  } catch (error) {
    if (error instanceof CliError && error.exitCode === exitCodes.forbidden) return undefined;
    return { stableForMs, unreadable: error instanceof Error ? error.message : String(error) };
  }
  const objects = items.flatMap((item) => {
    const read = readIntentsObject(item);
    return read.ok ? [read.object] : [];
  });
  return { stableForMs, clients: readinessOf(objects, Date.now(), stableForMs) };
}

/** One read with the timeout and the CLI's error classification; `optional`: a 404 is undefined. */
function reader(client: KubeClient, timeoutSeconds: number) {
  return async function read<T>(what: Omit<RequestContext, 'server'>, path: string, query: Record<string, string> = {}, optional = false): Promise<T | undefined> {
    const context: RequestContext = { server: client.server, ...what };
    try {
      return await request<T>(client, { method: 'GET', path, query }, context, timeoutSeconds);
    } catch (error) {
      if (optional && (error as { code?: number }).code === 404) return undefined;
      throw requestError(error, context, timeoutSeconds);
    }
  };
}
