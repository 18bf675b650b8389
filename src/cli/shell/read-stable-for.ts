import { AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ReadinessOptions } from '../core/command.js';
import { defaultStableForMs, parseDuration, stableForAnnotation } from '../core/readiness.js';
import { withTimeout } from './list-client-intents.js';

/** The operator Deployment's label, as in config/ and the chart (status reads it the same way). */
const operatorSelector = 'app.kubernetes.io/name=network-mapper';

/**
 * The stable period: `--stable-for`, else the chart's `readiness.stableFor`, which the chart
 * writes on the operator Deployment as an annotation, else 7 days. The Deployment is optional
 * reading (a user may not be allowed to list Deployments, or the operator runs elsewhere): the
 * default is used then, and stderr says so.
 */
export async function stableForMs(kc: KubeConfig, options: ReadinessOptions, timeoutSeconds: number, warn: (text: string) => void): Promise<number> {
  if (options.stableForMs !== undefined) return options.stableForMs;
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const namespace = options.installNamespace;
  try {
    const list = await withTimeout(kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace, labelSelector: operatorSelector }), { server, verb: 'list', resource: 'deployments.apps', namespace }, timeoutSeconds);
    const text = list.items[0]?.metadata?.annotations?.[stableForAnnotation];
    if (text === undefined) return defaultStableForMs;
    const ms = parseDuration(text);
    if (ms !== undefined) return ms;
    warn(`the operator's ${stableForAnnotation} annotation "${text}" is not a duration: using 7d`);
  } catch {
    warn(`could not read the operator Deployment in namespace ${namespace} for its stable period: using 7d (--stable-for sets it)`);
  }
  return defaultStableForMs;
}
