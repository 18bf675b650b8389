import { AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ReadinessOptions } from '../core/command.js';
import { defaultStableForMs, parseDuration, stableForAnnotation } from '../core/readiness.js';
import { withTimeout } from './with-timeout.js';

/** The operator Deployment's label, as in config/ and the chart (status reads it the same way). */
const operatorSelector = 'app.kubernetes.io/name=network-mapper';

/**
 * The stable period: `--stable-for`, else the chart's `readiness.stableFor`, which the chart
 * writes on the operator Deployment as an annotation, else 7 days. The Deployment is optional
 * reading (a user may not be allowed to list Deployments, or the operator runs elsewhere): the
 * default is used then, and stderr says so.
 */
export async function stableForMs(kc: KubeConfig, options: ReadinessOptions, timeoutSeconds: number, warn: (text: string) => void): Promise<number> {
  return (await readOperatorReadiness(kc, options, timeoutSeconds, warn)).stableForMs;
}

/** The stable period, and since when the mapper runs (the operator Deployment's creation; absent when not read). */
export async function readOperatorReadiness(kc: KubeConfig, options: ReadinessOptions, timeoutSeconds: number, warn: (text: string) => void): Promise<{ stableForMs: number; mapperSince?: number }> {
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const namespace = options.installNamespace;
  let operator;
  try {
    operator = (await withTimeout(kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace, labelSelector: operatorSelector }), { server, verb: 'list', resource: 'deployments.apps', namespace }, timeoutSeconds)).items[0];
  } catch {
    if (options.stableForMs === undefined) warn(`could not read the operator Deployment in namespace ${namespace} for its stable period: using 7d (--stable-for sets it)`);
    return { stableForMs: options.stableForMs ?? defaultStableForMs };
  }
  const created = operator?.metadata?.creationTimestamp;
  const since = created === undefined ? undefined : new Date(created).getTime();
  const found = since === undefined || Number.isNaN(since) ? {} : { mapperSince: since };
  if (options.stableForMs !== undefined) return { stableForMs: options.stableForMs, ...found };
  const text = operator?.metadata?.annotations?.[stableForAnnotation];
  const ms = text === undefined ? defaultStableForMs : parseDuration(text);
  if (ms === undefined) warn(`the operator's ${stableForAnnotation} annotation "${text}" is not a duration: using 7d`);
  return { stableForMs: ms ?? defaultStableForMs, ...found };
}
