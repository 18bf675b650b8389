import type { LocalCluster } from './local-cluster.js';
import { describeFlow, describeUnmapped, measureFlows, tryUnmappedCall, type DemoFlow, type FlowResult, type UnmappedCall, type UnmappedResult } from './zero-trust-check.js';

/** kube-router applies a policy change within a second here; this much is left before measuring. */
const enforcerSettleMs = 5_000;

export interface ZeroTrustResult {
  readonly flows: FlowResult[];
  readonly unmapped: UnmappedResult[];
  readonly seconds: number;
}

/**
 * The zero-trust loop measured: with Otterize's policies enforced, the unmapped calls are made
 * once each at the start, then for `windowMs` the demo clients keep calling; their own logs say
 * which mapped flows kept working.
 */
export async function checkZeroTrust(cluster: LocalCluster, flows: readonly DemoFlow[], unmapped: readonly UnmappedCall[], windowMs: number, stopping: () => boolean = () => false): Promise<ZeroTrustResult | undefined> {
  await new Promise((r) => setTimeout(r, enforcerSettleMs));
  const from = Date.now();
  const unmappedResults: UnmappedResult[] = [];
  for (const call of unmapped) unmappedResults.push(await tryUnmappedCall(cluster.admin, cluster.controlPlane.kubeconfigPath, call));
  while (!stopping() && Date.now() < from + windowMs) await new Promise((r) => setTimeout(r, 1000));
  if (stopping()) return undefined;
  const to = Date.now();
  return { flows: await measureFlows(cluster.admin, flows, from, to), unmapped: unmappedResults, seconds: Math.round((to - from) / 1000) };
}

/** The verdict in a few lines: the counts, then each flow that broke and each call that got through. */
export function verdictLines(result: ZeroTrustResult): string[] {
  const kept = result.flows.filter((f) => f.kept).length;
  const blocked = result.unmapped.filter((u) => u.blocked).length;
  const refusedFirst = result.flows.filter((f) => f.kept && f.firstCallsRefused > 0);
  return [
    `Under enforcement for ${result.seconds} s: flows kept ${kept}/${result.flows.length}, unmapped calls blocked ${blocked}/${result.unmapped.length}.`,
    ...(refusedFirst.length ? [`  first calls of new pods refused before the enforcer admitted them, then answered on a retry: ${refusedFirst.reduce((n, f) => n + f.firstCallsRefused, 0)} (${refusedFirst.map((f) => `${describeFlow(f)} x${f.firstCallsRefused}`).join(', ')})`] : []),
    ...result.flows.filter((f) => !f.kept).map((f) => `  broken: ${describeFlow(f)} (${f.count.succeeded} answered, ${f.count.failed} failed: ${Object.entries(f.count.failures).map(([k, n]) => `${k} x${n}`).join(', ') || 'no calls'})`),
    ...result.unmapped.filter((u) => !u.blocked).map((u) => `  not blocked: ${describeUnmapped(u.call)} (${u.detail})`),
  ];
}
