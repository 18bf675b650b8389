import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { waitFor } from '../wait-for.js';

const run = promisify(execFile);

/** The release the local cluster installs, as a user would: `helm install network-mapper charts/network-mapper -n network-mapper`. */
export const releaseName = 'network-mapper';

export interface ReleaseOptions {
  readonly helm: string;
  readonly chartDir: string;
  readonly kubeconfigPath: string;
  readonly namespace: string;
  /** Helm's cache, config and data dirs (it writes there). */
  readonly helmHome: string;
  /** Chart values set on the command line (`--set key=value`). */
  readonly values: Readonly<Record<string, string | number | boolean>>;
  /** The release's name; network-mapper's by default. */
  readonly release?: string;
  /** Helm's --post-renderer: an executable and its arguments, given the rendered manifests on stdin. */
  readonly postRenderer?: readonly [string, ...string[]];
}

/** The image reference the chart's pods name by default: image.repository and the chart's appVersion (or image.tag). */
export function chartImageReference(chartDir: string): { reference: string; tag: string } {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion?: string };
  const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as { image?: { repository?: string; tag?: string } };
  const repository = values.image?.repository;
  const tag = values.image?.tag || chart.appVersion;
  if (!repository || !tag) throw new Error(`${chartDir} names no image.repository and appVersion/image.tag`);
  return { reference: `${repository}:${tag}`, tag: String(tag) };
}

/** `helm install` with the real helm binary against the cluster's admin kubeconfig. */
export async function helmInstall(options: ReleaseOptions): Promise<void> {
  mkdirSync(options.helmHome, { recursive: true });
  const release = options.release ?? releaseName;
  const sets = Object.entries(options.values).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
  const [renderer, ...rendererArgs] = options.postRenderer ?? [];
  const postRender = renderer ? ['--post-renderer', renderer, ...rendererArgs.flatMap((arg) => ['--post-renderer-args', arg])] : [];
  try {
    await run(options.helm, [
      'install', release, options.chartDir, '--namespace', options.namespace, '--create-namespace',
      '--kubeconfig', options.kubeconfigPath, ...sets, ...postRender,
    ], {
      env: {
        PATH: process.env.PATH ?? '',
        // Its discovery cache goes to $HOME/.kube: here, not into the working directory or root's home.
        HOME: options.helmHome,
        HELM_CACHE_HOME: join(options.helmHome, 'cache'),
        HELM_CONFIG_HOME: join(options.helmHome, 'config'),
        HELM_DATA_HOME: join(options.helmHome, 'data'),
      },
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`helm install ${release} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

const isReady = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export function describePod(pod: V1Pod): string {
  const states = (pod.status?.containerStatuses ?? []).map((s) => {
    const waiting = s.state?.waiting;
    return `${s.name}: ${waiting ? `waiting ${waiting.reason ?? ''} ${waiting.message ?? ''}`.trim() : s.state?.terminated ? `terminated ${s.state.terminated.exitCode}` : s.ready ? 'ready' : 'running, not ready'}`;
  });
  return `${pod.metadata?.name} (${pod.status?.phase ?? 'no status'}; ${states.join(', ') || 'no containers started'})`;
}

export interface ReleasePods {
  readonly sniffers: V1Pod[];
  readonly operators: V1Pod[];
}

/** The release's sniffer and operator pods, by the chart's component label. */
export async function releasePods(kc: KubeConfig, namespace: string): Promise<ReleasePods> {
  const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/instance=${releaseName}` })).items
    .filter((p) => !p.metadata?.deletionTimestamp);
  const component = (name: string): V1Pod[] => pods.filter((p) => p.metadata?.labels?.['app.kubernetes.io/component'] === name);
  return { sniffers: component('sniffer'), operators: component('operator') };
}

/** Waits until `sniffers` sniffer pods and `operators` operator pods are Ready; the error names every pod's state. */
export async function waitForReleaseReady(kc: KubeConfig, namespace: string, counts: { sniffers: number; operators: number }, timeoutMs: number): Promise<ReleasePods> {
  let last: ReleasePods = { sniffers: [], operators: [] };
  try {
    return await waitFor(`${counts.sniffers} sniffer and ${counts.operators} operator pods Ready`, async () => {
      last = await releasePods(kc, namespace);
      const ready = { sniffers: last.sniffers.filter(isReady), operators: last.operators.filter(isReady) };
      return ready.sniffers.length === counts.sniffers && ready.operators.length === counts.operators ? ready : undefined;
    }, timeoutMs);
  } catch (error) {
    const pods = [...last.sniffers, ...last.operators].map(describePod).join('; ') || 'no pods';
    throw new Error(`${error instanceof Error ? error.message : String(error)}: ${pods}`, { cause: error });
  }
}
