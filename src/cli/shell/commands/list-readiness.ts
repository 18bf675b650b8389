import type { ClusterOptions, ReadinessOptions } from '../../core/command.js';
import type { IntentsObject } from '../../core/intents-object.js';
import { formatAge, readinessOf, renderReadiness } from '../../core/readiness.js';
import { stableForMs } from '../read-stable-for.js';
import { loadUserKubeConfig } from '../user-kube-config.js';
import type { Streams } from '../write-export.js';

/** `list --readiness`: per client workload, ready to enforce or still learning, and why. */
export async function runListReadiness(cluster: ClusterOptions, options: ReadinessOptions, objects: readonly IntentsObject[], streams: Streams): Promise<void> {
  const kc = loadUserKubeConfig(cluster);
  const period = await stableForMs(kc, options, cluster.requestTimeoutSeconds, (text) => streams.stderr(`warning: ${text}\n`));
  const readiness = readinessOf(objects, Date.now(), period);
  const ready = readiness.filter((r) => r.ready).length;
  streams.stdout(`Ready to enforce (nothing new for ${formatAge(period)}): ${ready} of ${readiness.length} client workloads\n${renderReadiness(readiness)}`);
}
