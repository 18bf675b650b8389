import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpYaml, type KubeConfig } from '@kubernetes/client-node';
import { routeComponentLogs } from '../component-process.js';
import { controlPlaneBinary } from '../control-plane.js';
import { progress, showProgress } from '../progress.js';
import type { OtterizeDir } from '../otterize/otterize-dir.js';
import { otterizeOwnIntents } from '../otterize/otterize-own-intents.js';
import { appliedByOtterize, describePolicy, otterizePolicies } from '../otterize/otterize-policies.js';
import { OtterizeUnavailableError } from '../otterize/otterize-release.js';
import { listIntentItems, listIntents, mapDifferences, type ExpectedIntents } from './expected-intents.js';
import { lookAroundCommands, renderLookAround } from './look-around.js';
import { describeEdge, missingEdges, type ExpectedEdge } from './expected-map.js';
import { runKafkaAclLoop } from './kafka-acls.js';
import { applyManifests, repoRoot, observationNamespace, startLocalCluster, type LocalCluster } from './local-cluster.js';
import { ImageUnavailableError } from './network-mapper-image.js';
import { NodeBusyError } from './node/node-host.js';
import { waitFor } from '../wait-for.js';
import type { DemoFlow, UnmappedCall } from './zero-trust-check.js';
import { checkZeroTrust, verdictLines } from './zero-trust-verdict.js';
import { slotted, slottedOctet, slottedPort } from '../test-slot.js';

export interface MainCommandOptions {
  readonly demoYaml: string;
  readonly edges: readonly ExpectedEdge[];
  readonly intents: readonly ExpectedIntents[];
  readonly timeoutMs: number;
  /** Otterize's binaries, chart and images (OTTERIZE_BIN_DIR): its Intents Operator then enforces the map, and its policies are shown. */
  readonly otterize?: OtterizeDir;
  /** Also show the local cluster's component logs live (they always go to files in componentLogsDir). */
  readonly verbose?: boolean;
  /** With Otterize: the demo's flows (kept under enforcement?) and calls outside the map (blocked?). */
  readonly flows?: (nodeIP: string) => readonly DemoFlow[];
  readonly unmappedCalls?: readonly UnmappedCall[];
}

/** The local cluster's own components' logs (the pods' are in the cluster's logs/ directory), fresh each run. */
const componentLogsDir = join(repoRoot, '.cache', 'logs', 'main-command');

/** How long the demo runs under enforcement before the verdict. */
const enforcementWindowMs = 120_000;

/** Each step of the Kafka ACLs (Otterize writes them within seconds; a JVM reads them back in a few). */
const kafkaAclTimeoutMs = 90_000;

/** Otterize applies a new ClientIntents within a second or two; a slow machine gets this long. */
const otterizeApplyTimeoutMs = 60_000;

const cliMain = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

/** THE single call site of the CLI (src/cli, being built separately): used as soon as it exists. */
function runCli(kubeconfig: string, args: string[]): boolean {
  if (!existsSync(cliMain)) return false;
  const result = spawnSync(process.execPath, [cliMain, ...args], { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfig } });
  return result.status === 0;
}

async function dumpClientIntents(kc: KubeConfig, dir: string): Promise<number> {
  // A CRD established a moment ago may still answer 429 (storage initializing): retry briefly.
  const items = await waitFor('the ClientIntents list', () => listIntentItems(kc), 20_000);
  mkdirSync(dir, { recursive: true });
  for (const item of items) {
    const object = { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: item.metadata.name, namespace: item.metadata.namespace }, spec: item.spec };
    writeFileSync(join(dir, `${item.metadata.name}.${item.metadata.namespace}.yaml`), dumpYaml(object));
  }
  return items.length;
}

/**
 * The README's main command: the local cluster, the demo, the wait for the map, the map, the
 * export, then the cluster stays up for exploring until Ctrl-C, which removes everything.
 */
export async function runMainCommand(options: MainCommandOptions): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('The local cluster needs root: it creates network namespaces, a bridge, nft rules and sysctls. Run it with sudo.');
    process.exit(1);
  }
  let stopping = false;
  let cluster: LocalCluster | undefined;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    // Before the cluster is up, startup finishes first and is then stopped (below).
    if (!cluster) return;
    console.log('\nStopping: removing pods, containers, namespaces, interfaces, mounts, cgroups and processes...');
    void cluster.stop().then(() => {
      console.log('Everything the local cluster created is removed.');
      process.exit(0);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  rmSync(componentLogsDir, { recursive: true, force: true });
  routeComponentLogs({ dir: componentLogsDir, verbose: options.verbose ?? false });
  showProgress();
  console.log(`Starting the local cluster (control plane, a real node: containerd, kubelet, kube-proxy; CoreDNS) and installing ${options.otterize ? 'Otterize\'s Intents Operator, then ' : ''}network-mapper with its Helm chart from its image. Component logs: ${componentLogsDir}/${options.verbose ? ' (also shown here: --verbose)' : ' (--verbose shows them here)'}`);
  try {
    cluster = await startLocalCluster({ prefix: slotted('nmlc'), octet: slottedOctet(77), windowSeconds: 5, snifferPort: slottedPort(9478), otterize: options.otterize });
  } catch (error) {
    if (error instanceof ImageUnavailableError || error instanceof OtterizeUnavailableError || error instanceof NodeBusyError) {
      console.error(error.message);
      process.exit(1);
    }
    // startLocalCluster has removed what it had made.
    console.error(`The local cluster did not start: ${error instanceof Error ? error.message : String(error)}\nLogs: ${componentLogsDir}/ (the local cluster's components) and ${join(repoRoot, '.cache', 'local-cluster')}/*/logs/ (the pods')`);
    process.exit(1);
  }
  if (stopping) {
    stopping = false;
    shutdown();
    return;
  }
  progress(`local cluster: Ready (node ${cluster.nodeName}, kubelet and containerd, Ready ${(cluster.nodeReadyAfterMs / 1000).toFixed(1)} s after the start)`);

  try {
    await showMap(cluster, options, () => stopping);
  } catch (error) {
    console.error(`The main command failed: ${error instanceof Error ? error.message : String(error)}\nLogs: ${componentLogsDir}/ (the local cluster's components) and ${cluster.logDir}/ (the pods')`);
    shutdown();
  }
}

async function showMap(cluster: LocalCluster, options: MainCommandOptions, stopping: () => boolean): Promise<void> {
  const kubeconfig = join(cluster.stateDir, 'admin.kubeconfig');
  copyFileSync(cluster.controlPlane.kubeconfigPath, kubeconfig);
  await applyManifests(cluster.admin, options.demoYaml);
  const expected = [...options.intents, ...(cluster.withOtterize ? otterizeOwnIntents : [])];
  progress(`Demo applied; waiting (up to ${options.timeoutMs / 1000} s) for the ClientIntents of ${expected.length} client workloads (the CronJob runs at the next full minute)...`);

  const appliedAt = Date.now();
  const deadline = appliedAt + options.timeoutMs;
  let differences: string[] = ['nothing listed yet'];
  while (!stopping() && Date.now() < deadline) {
    differences = await listIntents(cluster.admin).then((observed) => mapDifferences(expected, observed), (error: unknown) => [`cannot list ClientIntents: ${String(error)}`]);
    if (differences.length === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (stopping()) return;
  if (differences.length) {
    console.log(`The map is NOT the demo's after ${options.timeoutMs / 1000} s:\n${differences.map((m) => `  - ${m}`).join('\n')}`);
    const unseen = (await missingEdges(cluster.admin, observationNamespace, options.edges).catch(() => ({ missing: options.edges }))).missing;
    console.log(unseen.length
      ? `Connections the sniffer has not reported yet:\n${unseen.map((e) => `  - ${describeEdge(e)}`).join('\n')}`
      : 'The sniffer reported every demo connection: look at the operator log for what it could not resolve.');
  } else {
    progress(`The map has converged ${((Date.now() - appliedAt) / 1000).toFixed(0)} s after the demo was applied: it is exactly the demo's, every target and nothing else.\n`);
  }

  const exportDir = join(repoRoot, 'netmap-export');
  // The CLI's `list` and `export`; without a built CLI the ClientIntents are dumped here instead.
  if (!runCli(kubeconfig, ['list'])) console.log('(the CLI is not built: no `list` output)');
  if (!runCli(kubeconfig, ['export', '-o', exportDir, '--output-type', 'dir'])) {
    const written = await dumpClientIntents(cluster.admin, exportDir);
    console.log(`Wrote ${written} ClientIntents to ${exportDir}`);
  }
  runCli(kubeconfig, ['visualize', '-o', join(exportDir, 'map.svg')]);
  if (cluster.withOtterize) await showOtterizePolicies(cluster, stopping);
  if (cluster.withOtterize && !stopping()) await showKafkaAcls(cluster, kubeconfig);
  if (cluster.withOtterize && options.flows) {
    console.log(`\nEnforcing (kube-router) for ${enforcementWindowMs / 1000} s: the demo's flows, counted from its clients' logs, and ${options.unmappedCalls?.length ?? 0} calls outside the map...`);
    const result = await checkZeroTrust(cluster, options.flows(cluster.network.nodeIP), options.unmappedCalls ?? [], enforcementWindowMs, stopping);
    if (result) console.log(verdictLines(result).join('\n'));
  }
  const commands = lookAroundCommands({ repoRoot, kubeconfig, controlPlaneBinary: controlPlaneBinary(), withOtterize: cluster.withOtterize, logsOf: { namespace: 'shop', workload: 'deploy/frontend' } });
  console.log(`
The local cluster keeps running. Look around with:

${renderLookAround(commands)}

Logs: ${cluster.logDir}/ (pods and node components; pods also through kubectl logs), ${componentLogsDir}/ (the local cluster's own components)
Press Ctrl-C to stop; everything it created is removed.`);
}

/**
 * The Kafka part of the map and the ACLs Otterize made of it in the real broker (docs/kafka.md,
 * "ACLs from the map"), then what the broker allows under them.
 */
async function showKafkaAcls(cluster: LocalCluster, kubeconfig: string): Promise<void> {
  const kafka = (await listIntents(cluster.admin)).flatMap((i) => i.spec.targets.flatMap((t) => (t.kafka
    ? [`  ${i.spec.workload.name} in ${i.namespace} -> ${t.kafka.name}: ${(t.kafka.topics ?? []).map((topic) => `${topic.name} [${topic.operations.join(' ')}]`).join(', ')}`]
    : [])));
  console.log(`\nThe Kafka part of the map:\n${kafka.join('\n')}\nGiving Otterize a KafkaServerConfig for the broker (TLS identities; identified clients allowed everything while their ACLs are written, then intents required)...`);
  try {
    const report = await runKafkaAclLoop(cluster.admin, kubeconfig, kafkaAclTimeoutMs);
    console.log(`The broker's ACLs, read back with Kafka's Admin API (${report.acls.length}; ${report.mapAcls.length} from the map, the rest from the KafkaServerConfig):\n${report.acls.map((line) => `  ${line}`).join('\n')}`);
    console.log(`Under them: ${report.mappedCalls.working.map((w) => `${w}: works`).join('; ')}${report.mappedCalls.notYet.length ? `; NOT seen working: ${report.mappedCalls.notYet.join(', ')}` : ''}`);
    if (report.mappedCalls.refusals.length) console.log(`Refused mapped calls:\n${report.mappedCalls.refusals.map((r) => `  ${r}`).join('\n')}`);
    console.log(report.unmapped.map((u) => `Outside the map: ${u.what}: ${u.result === 'TOPIC_AUTHORIZATION_FAILED' ? 'refused by the broker' : 'NOT refused'} (${u.result})`).join('\n'));
  } catch (error) {
    console.log(`The Kafka ACLs did not come: ${error instanceof Error ? error.message : String(error)} (see Otterize's operator log: kubectl logs -n otterize-system deploy/intents-operator-controller-manager)`);
  }
}

/** The zero-trust loop closed: Otterize has applied every ClientIntents of the map, and the NetworkPolicies it made from them. */
async function showOtterizePolicies(cluster: LocalCluster, stopping: () => boolean): Promise<void> {
  const deadline = Date.now() + otterizeApplyTimeoutMs;
  let pending: string[] = [];
  while (!stopping() && Date.now() < deadline) {
    pending = (await listIntentItems(cluster.admin)).filter((item) => !appliedByOtterize(item)).map((item) => `${item.metadata.namespace}/${item.metadata.name}`);
    if (pending.length === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (stopping()) return;
  console.log(pending.length
    ? `\nOtterize has not applied ${pending.join(', ')} after ${otterizeApplyTimeoutMs / 1000} s: see its pods' logs.`
    : '\nOtterize\'s Intents Operator has applied every ClientIntents (status.upToDate for its generation).');
  const policies = await otterizePolicies(cluster.admin);
  console.log(`The NetworkPolicies it created from the map (${policies.length}):\n${policies.map((p) => `  ${describePolicy(p)}`).join('\n')}`);
}
