import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, dumpYaml, type KubeConfig } from '@kubernetes/client-node';
import { controlPlaneBinary } from '../control-plane.js';
import { describeEdge, missingEdges, type ExpectedEdge } from './expected-map.js';
import { applyManifests, repoRoot, snifferNamespace, startLocalCluster, type LocalCluster } from './local-cluster.js';
import { waitFor } from '../wait-for.js';

export interface MainCommandOptions {
  readonly demoYaml: string;
  readonly edges: readonly ExpectedEdge[];
  readonly timeoutMs: number;
}

const cliMain = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

/** THE single call site of the CLI (src/cli, being built separately): used as soon as it exists. */
function runCli(kubeconfig: string, args: string[]): boolean {
  if (!existsSync(cliMain)) return false;
  const result = spawnSync(process.execPath, [cliMain, ...args], { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfig } });
  return result.status === 0;
}

async function dumpClientIntents(kc: KubeConfig, dir: string): Promise<number> {
  const api = kc.makeApiClient(CustomObjectsApi);
  // A CRD established a moment ago may still answer 429 (storage initializing): retry briefly.
  const list = await waitFor('the ClientIntents list', () => api.listClusterCustomObject({ group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' }), 20_000) as {
    items: { metadata: { name: string; namespace: string }; spec: unknown }[];
  };
  mkdirSync(dir, { recursive: true });
  for (const item of list.items) {
    const object = { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: item.metadata.name, namespace: item.metadata.namespace }, spec: item.spec };
    writeFileSync(join(dir, `${item.metadata.name}.${item.metadata.namespace}.yaml`), dumpYaml(object));
  }
  return list.items.length;
}

/**
 * The README's main command: the local cluster, the demo, the wait for the map, the map, the
 * export, then the cluster stays up for exploring until Ctrl-C, which removes everything.
 */
export async function runMainCommand(options: MainCommandOptions): Promise<void> {
  console.log('Starting the local cluster (control plane, node agent, kube-proxy, DNS, sniffer)...');
  const cluster = await startLocalCluster({ prefix: 'nmlc', octet: 77, windowSeconds: 5, snifferHttpPort: 9478 });
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping: removing pods, namespaces, interfaces, nft rules and processes...');
    void cluster.stop().then(() => {
      console.log('Everything the local cluster created is removed.');
      process.exit(0);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    await showMap(cluster, options, () => stopping);
  } catch (error) {
    console.error(`The main command failed: ${error instanceof Error ? error.message : String(error)}`);
    shutdown();
  }
}

async function showMap(cluster: LocalCluster, options: MainCommandOptions, stopping: () => boolean): Promise<void> {
  const kubeconfig = join(cluster.stateDir, 'admin.kubeconfig');
  copyFileSync(cluster.controlPlane.kubeconfigPath, kubeconfig);
  await applyManifests(cluster.admin, options.demoYaml);
  console.log(`Demo applied; waiting (up to ${options.timeoutMs / 1000} s) for ${options.edges.length} connections to be mapped...`);

  const deadline = Date.now() + options.timeoutMs;
  let missing: readonly ExpectedEdge[] = options.edges;
  while (!stopping() && Date.now() < deadline) {
    missing = (await missingEdges(cluster.admin, snifferNamespace, options.edges).catch(() => ({ missing }))).missing;
    if (missing.length === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (stopping()) return;
  if (missing.length) {
    console.log(`Not converged within ${options.timeoutMs / 1000} s; not yet seen:\n${missing.map((e) => `  - ${describeEdge(e)}`).join('\n')}`);
  } else {
    console.log('Every demo connection is in the NetworkObservations:');
    for (const edge of options.edges) console.log(`  ${describeEdge(edge)}`);
  }

  const exportDir = join(repoRoot, 'netmap-export');
  // CLI: `list` and `export` once src/cli is merged; until then the ClientIntents are dumped here.
  if (!runCli(kubeconfig, ['list'])) console.log('(the CLI is not built yet: no `list` output)');
  if (!runCli(kubeconfig, ['export', '-o', exportDir])) {
    const written = await dumpClientIntents(cluster.admin, exportDir);
    console.log(`Wrote ${written} ClientIntents to ${exportDir}${written === 0 ? ' (none: the operator is not part of this build yet)' : ''}`);
  }
  const kubectl = `${controlPlaneBinary()} kubectl`;
  console.log(`
The local cluster keeps running. Look around with:

  export KUBECONFIG=${kubeconfig}
  ${kubectl} get clientintents -A
  ${kubectl} get networkobservations -A
  ${kubectl} get pods -A -o wide

Pod logs: ${join(cluster.stateDir, 'logs')}
Press Ctrl-C to stop; everything it created is removed.`);
}
