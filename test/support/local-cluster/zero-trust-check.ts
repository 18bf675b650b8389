import { spawnSync } from 'node:child_process';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { controlPlaneBinary } from '../control-plane.js';
import { waitFor } from '../wait-for.js';
import { countFlows, firstCallsRefused, type FlowCount } from './flow-counts.js';
// A cycle (local-cluster.ts), harmless: applyManifests is only called at run time.
import { applyManifests } from './local-cluster.js';

/** One mapped flow of a demo: the pods of a client (by name prefix in its namespace) calling a URL. */
export interface DemoFlow {
  readonly namespace: string;
  readonly podPrefix: string;
  readonly url: string;
}

/** A call the map does not hold, made once under enforcement. */
export type UnmappedCall =
  | { readonly kind: 'new-pod'; readonly namespace: string; readonly name: string; readonly url: string }
  | { readonly kind: 'exec'; readonly namespace: string; readonly podPrefix: string; readonly url: string };

export interface FlowResult extends DemoFlow {
  readonly count: FlowCount;
  /** Of the failures, first calls of pods started in the window, answered on a retry (flow-counts.ts). */
  readonly firstCallsRefused: number;
  /** Answered, and every failure such a first call. */
  readonly kept: boolean;
}

export interface UnmappedResult {
  readonly call: UnmappedCall;
  readonly blocked: boolean;
  readonly detail: string;
}

export const describeFlow = (f: DemoFlow): string => `${f.namespace}/${f.podPrefix}* -> ${f.url}`;
export const describeUnmapped = (c: UnmappedCall): string => (c.kind === 'new-pod' ? `new pod ${c.namespace}/${c.name}` : `${c.namespace}/${c.podPrefix}* (kubectl exec)`) + ` -> ${c.url}`;

async function podsOf(admin: KubeConfig, namespace: string, podPrefix: string): Promise<string[]> {
  const { items } = await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
  return items.map((p) => p.metadata!.name!).filter((name) => name.startsWith(podPrefix));
}

/** What the clients' own logs say about each flow between `from` and `to` (kubectl logs, through the kubelet). */
export async function measureFlows(admin: KubeConfig, flows: readonly DemoFlow[], from: number, to: number): Promise<FlowResult[]> {
  const core = admin.makeApiClient(CoreV1Api);
  const results: FlowResult[] = [];
  for (const flow of flows) {
    const logs = await Promise.all((await podsOf(admin, flow.namespace, flow.podPrefix)).map((name) =>
      core.readNamespacedPodLog({ name, namespace: flow.namespace }).catch(() => '')));
    const counts = logs.flatMap((log) => countFlows(log, from, to)).filter((c) => c.url === flow.url);
    const count: FlowCount = {
      url: flow.url,
      succeeded: counts.reduce((n, c) => n + c.succeeded, 0),
      failed: counts.reduce((n, c) => n + c.failed, 0),
      failures: Object.assign({}, ...counts.map((c) => c.failures)) as Record<string, number>,
    };
    const refusedFirst = logs.reduce((n, log) => n + firstCallsRefused(log, flow.url, from, to), 0);
    results.push({ ...flow, count, firstCallsRefused: refusedFirst, kept: count.succeeded > 0 && count.failed === refusedFirst });
  }
  return results;
}

/**
 * Makes one call the map does not hold and says whether it was refused: a new pod (the demo
 * image, one call, its log read back), or `kubectl exec` of the demo app for one call in an
 * existing client's container (its network identity). Refused connections take about a second to show; the
 * calls wait 5 s.
 */
export async function tryUnmappedCall(admin: KubeConfig, kubeconfigPath: string, call: UnmappedCall): Promise<UnmappedResult> {
  if (call.kind === 'new-pod') {
    await applyManifests(admin, `
apiVersion: v1
kind: Pod
metadata: { name: ${call.name}, namespace: ${call.namespace}, labels: { app: ${call.name} } }
spec:
  restartPolicy: Never
  containers:
    - name: app
      image: __DEMO_IMAGE__
      env: [{ name: ONCE, value: "1" }, { name: TARGETS, value: "${call.url}" }, { name: CALL_TIMEOUT_MS, value: "5000" }]
`);
    const core = admin.makeApiClient(CoreV1Api);
    const log = await waitFor(`the log of ${call.namespace}/${call.name}`, async () => {
      const text = await core.readNamespacedPodLog({ name: call.name, namespace: call.namespace }).catch(() => '');
      return text.includes(' -> ') ? text : undefined;
    }, 60_000);
    const [count] = countFlows(log, 0, Number.MAX_SAFE_INTEGER);
    return { call, blocked: (count?.failed ?? 0) > 0 && count?.succeeded === 0, detail: Object.keys(count?.failures ?? {}).join(', ') || 'answered' };
  }
  const [pod] = await podsOf(admin, call.namespace, call.podPrefix);
  if (!pod) return { call, blocked: false, detail: 'no such pod' };
  // The demo app itself, for one call, in the client's container (its network identity).
  const result = spawnSync(controlPlaneBinary(), ['kubectl', '--kubeconfig', kubeconfigPath, 'exec', '-n', call.namespace, pod, '--',
    // No server of its own: the container's may listen on LISTEN_PORT already.
    'env', 'ONCE=1', 'LISTEN_PORT=', 'CALL_TIMEOUT_MS=5000', `TARGETS=${call.url}`, 'node', '/demo/app.mjs'], { encoding: 'utf8', timeout: 30_000 });
  const [count] = countFlows(result.stdout, 0, Number.MAX_SAFE_INTEGER);
  if (!count) return { call, blocked: false, detail: `kubectl exec: ${result.stderr.trim() || `exit ${result.status}`}` };
  return { call, blocked: count.failed > 0 && count.succeeded === 0, detail: Object.keys(count.failures).join(', ') || 'answered' };
}
