import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, loadYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { createLogger } from '../../../src/shared/logger.js';
import { startControlPlane, type ControlPlane } from '../control-plane.js';
import { installCrds } from '../crds.js';
import { snifferKubeConfig } from '../sniffer-rbac.js';
import { startCoreDns } from './coredns.js';
import { HostProcesses } from './host-processes.js';
import { cleanUpHostNetwork, clusterNetwork, setUpHostNetwork, type ClusterNetwork } from './host-network.js';
import { demoDir, startInternet } from './internet.js';
import { startKubeProxy } from './kube-proxy.js';
import { startNodeAgent, type NodeAgent } from './node-agent.js';
import { nodeMetricsEnv, nodeMetricsScript } from './node-metrics.js';
import { startUpstreamDns } from './upstream-dns.js';
import { writeServiceAccountKubeconfig } from '../service-account-kubeconfig.js';

const log = createLogger('local-cluster');
export const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
/** Where the sniffer writes NetworkObservations and the operator reads them (as deployed). */
export const observationNamespace = 'network-mapper';
export const operatorServiceAccount = 'network-mapper-operator';
const controllers = [
  'deployment-controller', 'replicaset-controller', 'statefulset-controller', 'job-controller', 'cronjob-controller',
  'garbage-collector-controller', 'endpointslice-controller', 'serviceaccount-controller', 'namespace-controller',
];

export interface LocalClusterOptions {
  /** Names every namespace, link, nft table and file of this cluster (2-6 letters/digits). */
  readonly prefix: string;
  /** 10.244.<octet>.0/24 for pods. */
  readonly octet: number;
  readonly windowSeconds: number;
  readonly snifferHttpPort: number;
  readonly operatorHealthPort: number;
}

export interface LocalCluster {
  readonly controlPlane: ControlPlane;
  readonly admin: KubeConfig;
  readonly network: ClusterNetwork;
  readonly nodeName: string;
  readonly stateDir: string;
  readonly nodeAgent: NodeAgent;
  /** When the sniffer logged that it started. */
  readonly snifferStartedAt: number;
  readonly logDir: string;
  /** The host processes started (sniffer, operator), for checking that stop() ended them. */
  hostPids(): number[];
  stop(): Promise<void>;
}

/** Replaces `__DEMO_DIR__` and `__NODE__` and creates the objects (already existing ones are kept). */
export async function applyManifests(kc: KubeConfig, yamlText: string): Promise<KubernetesObject[]> {
  const text = yamlText.replaceAll('__DEMO_DIR__', demoDir).replaceAll('__NODE__', process.execPath);
  // Split by hand: loadAllYaml fails on empty documents.
  const objects = text.split(/^---\s*$/m)
    .filter((doc) => doc.split('\n').some((line) => line.trim() && !line.trim().startsWith('#')))
    .map((doc) => loadYaml<KubernetesObject>(doc));
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    try {
      await api.create(object);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
  return objects;
}

/** The operator's committed RBAC (config/rbac/operator-*.yaml), as it is. */
async function applyOperatorRbac(kc: KubeConfig): Promise<void> {
  const dir = join(repoRoot, 'config', 'rbac');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: observationNamespace } } }).catch((error: { code?: number }) => {
    if (error.code !== 409) throw error;
  });
  for (const file of readdirSync(dir).filter((f) => f.startsWith('operator-') && f.endsWith('.yaml')).sort()) {
    await applyManifests(kc, readFileSync(join(dir, file), 'utf8'));
  }
}

async function waitForLog(path: string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(path) && readFileSync(path, 'utf8').includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} did not log ${text} within ${timeoutMs} ms:\n${existsSync(path) ? readFileSync(path, 'utf8').slice(-3000) : ''}`);
}

/**
 * A one-node cluster on this machine: the test control plane with controllers, a node agent that
 * runs pods as processes in network namespaces, kube-proxy-like nft DNAT, CoreDNS as a pod, a local
 * "internet", and network-mapper's sniffer (and operator, once it exists) as host processes with
 * their own ServiceAccounts. stop() removes everything it made.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const network = clusterNetwork(options.prefix, options.octet);
  const stateDir = join(repoRoot, '.cache', 'local-cluster', options.prefix);
  mkdirSync(stateDir, { recursive: true });
  const hostProcesses = new HostProcesses(join(stateDir, 'host.pids'));
  const killed = hostProcesses.killLeftovers();
  await cleanUpHostNetwork(options.prefix);
  if (killed.length) log.info('stopped processes of a previous run', { pids: killed });
  rmSync(join(stateDir, 'logs'), { recursive: true, force: true });
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => log.warn('cleanup step failed', { error: String(error) }));
    await cleanUpHostNetwork(options.prefix);
  };
  try {
    await setUpHostNetwork(network);
    const controlPlane = await startControlPlane({
      controllers,
      // As on kubeadm, kind or k3s the kubernetes Service's endpoint is the node IP (on the
      // bridge), which pods reach through the Service's DNAT; the nft input chain keeps the port
      // closed to every interface but lo and the bridge.
      extraArgs: ['--bind-address=0.0.0.0', `--advertise-address=${network.nodeIP}`],
    });
    stops.push(() => controlPlane.stop());
    const admin = controlPlane.admin();
    const apiPort = Number(new URL(admin.getCurrentCluster()!.server).port);
    await installCrds(admin);
    await applyOperatorRbac(admin);

    const nodeName = `${options.prefix}-node`;
    const nodeAgent = await startNodeAgent(admin, { nodeName, network, logDir });
    stops.push(() => nodeAgent.stop());
    const kubeProxy = startKubeProxy(admin, network, apiPort);
    stops.push(() => kubeProxy.stop());
    await kubeProxy.kick();
    const internet = await startInternet(network);
    stops.push(() => internet.stop());
    const upstreamDns = await startUpstreamDns(network, internet.names);
    stops.push(() => upstreamDns.stop());
    await startCoreDns(controlPlane, { stateDir, clusterIP: network.dnsServiceIP, upstream: upstreamDns.address, clusterDomain: 'cluster.local' });

    const snifferKubeconfig = join(stateDir, 'sniffer.kubeconfig');
    writeServiceAccountKubeconfig(await snifferKubeConfig(controlPlane, observationNamespace), snifferKubeconfig, observationNamespace);
    const operatorKubeconfig = join(stateDir, 'operator.kubeconfig');
    writeServiceAccountKubeconfig(await controlPlane.serviceAccount(observationNamespace, operatorServiceAccount), operatorKubeconfig, observationNamespace);
    stops.push(() => hostProcesses.stopAll());
    const nodeMetricsLog = join(logDir, 'node-metrics.log');
    hostProcesses.start(nodeMetricsScript, nodeMetricsEnv(network.nodeIP), nodeMetricsLog);
    await waitForLog(nodeMetricsLog, 'node metrics listening', 10_000);
    const snifferLog = join(logDir, 'sniffer.log');
    hostProcesses.start(join(repoRoot, 'dist', 'src', 'sniffer', 'main.js'), {
      NODE_NAME: nodeName,
      POD_NAMESPACE: observationNamespace,
      KUBECONFIG: snifferKubeconfig,
      CAPTURE_DEVICE: 'any',
      PROC_ROOT: '/proc',
      WINDOW_SECONDS: String(options.windowSeconds),
      SCAN_INTERVAL_SECONDS: '1',
      HTTP_PORT: String(options.snifferHttpPort),
    }, snifferLog);
    const operatorLog = join(logDir, 'operator.log');
    hostProcesses.start(join(repoRoot, 'dist', 'src', 'operator', 'main.js'), {
      KUBECONFIG: operatorKubeconfig,
      OBSERVATION_NAMESPACE: observationNamespace,
      POD_NAME: `${options.prefix}-operator`,
      HEALTH_PORT: String(options.operatorHealthPort),
    }, operatorLog);
    await waitForLog(snifferLog, '"sniffer started"', 30_000);
    const snifferStartedAt = Date.now();
    await waitForLog(operatorLog, '"operator started"', 30_000);

    return { controlPlane, admin, network, nodeName, stateDir, nodeAgent, snifferStartedAt, logDir, hostPids: () => hostProcesses.pids(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
