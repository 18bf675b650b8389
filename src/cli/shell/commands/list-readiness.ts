import { BatchV1Api } from '@kubernetes/client-node';
import type { ClusterOptions, ReadinessOptions } from '../../core/command.js';
import type { IntentsObject } from '../../core/intents-object.js';
import { cronJobsNotRun, formatAge, readinessOf, renderReadiness, withCronJobs, type CronJobFacts } from '../../core/readiness.js';
import type { Selection } from '../../core/selection.js';
import { withTimeout } from '../with-timeout.js';
import { readOperatorReadiness } from '../read-stable-for.js';
import { loadUserKubeConfig } from '../user-kube-config.js';
import type { Streams } from '../write-export.js';

/**
 * `list --readiness`: per client workload, ready to enforce or still learning, and why; with
 * the CronJobs that have not run since the mapper started (when the operator Deployment and
 * the CronJobs can be read: otherwise without them, saying so).
 */
export async function runListReadiness(cluster: ClusterOptions, selection: Selection, options: ReadinessOptions, objects: readonly IntentsObject[], streams: Streams): Promise<void> {
  const kc = loadUserKubeConfig(cluster);
  const warn = (text: string): void => streams.stderr(`warning: ${text}\n`);
  const { stableForMs, mapperSince } = await readOperatorReadiness(kc, options, cluster.requestTimeoutSeconds, warn);
  const now = Date.now();
  const clients = readinessOf(objects, now, stableForMs);
  let all = clients;
  if (mapperSince !== undefined) {
    const cronJobs = await readCronJobs(kc, selection.namespaces, cluster.requestTimeoutSeconds).catch(() => {
      warn('could not list CronJobs: those that have not run since the mapper started are not listed');
      return [];
    });
    all = withCronJobs(clients, cronJobsNotRun(cronJobs, clients, mapperSince));
  }
  const ready = all.filter((r) => r.ready).length;
  streams.stdout(`Ready to enforce (nothing new for ${formatAge(stableForMs)}): ${ready} of ${all.length} client workloads\n${renderReadiness(all)}`);
}

async function readCronJobs(kc: ReturnType<typeof loadUserKubeConfig>, namespaces: readonly string[], timeoutSeconds: number): Promise<CronJobFacts[]> {
  const api = kc.makeApiClient(BatchV1Api);
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const lists = namespaces.length === 0
    ? [await withTimeout(api.listCronJobForAllNamespaces(), { server, verb: 'list', resource: 'cronjobs.batch' }, timeoutSeconds)]
    : await Promise.all(namespaces.map((namespace) => withTimeout(api.listNamespacedCronJob({ namespace }), { server, verb: 'list', resource: 'cronjobs.batch', namespace }, timeoutSeconds)));
  return lists.flatMap((list) =>
    list.items.map((c) => {
      const last = c.status?.lastScheduleTime === undefined ? undefined : new Date(c.status.lastScheduleTime).getTime();
      return { namespace: c.metadata?.namespace ?? '', name: c.metadata?.name ?? '', suspended: c.spec?.suspend === true, ...(last === undefined || Number.isNaN(last) ? {} : { lastScheduleTime: last }) };
    }),
  );
}
