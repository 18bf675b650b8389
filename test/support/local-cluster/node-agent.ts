import { mkdirSync } from 'node:fs';
import {
  CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod, type V1PodCondition, type V1ContainerStatus,
} from '@kubernetes/client-node';
import { createLogger, errorFields } from '../../../src/shared/logger.js';
import type { ClusterNetwork } from './host-network.js';
import { createPodNetwork, deletePodNetwork, startContainer, type ContainerRun, type PodRun } from './node-agent-pod.js';
import { startSyncLoop, type SyncLoop } from './sync-loop.js';

const log = createLogger('local-node-agent');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const firstPodIndex = 10;
const lastPodIndex = 250;
const restartDelayMs = 1000;
const stopGraceMs = 2000;
/**
 * A kubelet notices a container's exit at its next PLEG relist (every 1 s) and its status
 * manager then writes the pod's terminal phase: a Job pod is reported Succeeded a second or two
 * after its process ended, never at once. Mirrored here, so the pipeline sees the timing it
 * would see in a cluster.
 */
const terminalReportDelayMs = 2000;

export interface NodeAgentOptions {
  readonly nodeName: string;
  readonly network: ClusterNetwork;
  readonly logDir: string;
}

export interface NodeAgent extends SyncLoop {
  running(): readonly PodRun[];
}

async function registerNode(core: CoreV1Api, options: NodeAgentOptions): Promise<void> {
  const { nodeName, network } = options;
  try {
    await core.createNode({
      body: {
        metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
        spec: { podCIDR: network.podCidr4, podCIDRs: [network.podCidr4, network.podCidr6] },
      },
    });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
  const now = new Date();
  await core.patchNodeStatus({
    name: nodeName,
    body: {
      status: {
        addresses: [{ type: 'InternalIP', address: network.nodeIP }, { type: 'Hostname', address: nodeName }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'LocalNodeAgentReady', message: 'the local node agent runs pods', lastHeartbeatTime: now, lastTransitionTime: now }],
        nodeInfo: {
          architecture: 'amd64', bootID: '', containerRuntimeVersion: 'local://processes', kernelVersion: '', kubeProxyVersion: '',
          kubeletVersion: 'local-node-agent', machineID: '', operatingSystem: 'linux', osImage: 'host', systemUUID: '',
        },
      },
    },
  }, mergePatch);
}

function condition(type: string, status: boolean, since: string): V1PodCondition {
  return { type, status: status ? 'True' : 'False', lastTransitionTime: new Date(since) };
}

function containerStatus(container: ContainerRun): V1ContainerStatus {
  const running = container.child !== undefined && container.exitCode === undefined;
  return {
    name: container.name,
    image: container.image,
    imageID: '',
    containerID: container.child?.pid ? `local://${container.child.pid}` : undefined,
    ready: running,
    started: running,
    restartCount: container.restartCount,
    state: running
      ? { running: { startedAt: new Date(container.startedAt!) } }
      : container.exitCode !== undefined
        ? { terminated: { exitCode: container.exitCode, reason: container.exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date(container.finishedAt!), startedAt: new Date(container.startedAt!) } }
        : { waiting: { reason: 'ContainerCreating' } },
  };
}

/**
 * The kubelet of the local node, in miniature: binds unscheduled pods to this node (there is no
 * scheduler), runs each pod as processes in its own network namespace, reports the pod's status,
 * and tears a pod down (then removes the object, as a kubelet would) when it is deleted.
 */
export async function startNodeAgent(kc: KubeConfig, options: NodeAgentOptions): Promise<NodeAgent> {
  const core = kc.makeApiClient(CoreV1Api);
  const { nodeName, network } = options;
  mkdirSync(options.logDir, { recursive: true });
  await registerNode(core, options);
  const kubernetesService = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
  const apiService = { host: kubernetesService.spec?.clusterIP ?? '', port: kubernetesService.spec?.ports?.[0]?.port ?? 443 };
  const runs = new Map<string, PodRun>();
  const reported = new Map<string, string>();

  // Round robin from the last address handed out, as CNI's host-local IPAM does: a freed IP
  // is not handed to the next pod at once.
  let lastIndex = firstPodIndex - 1;
  const freeIndex = (): number => {
    const used = new Set([...runs.values()].map((r) => r.index));
    const size = lastPodIndex - firstPodIndex + 1;
    for (let step = 1; step <= size; step++) {
      const candidate = firstPodIndex + ((lastIndex - firstPodIndex + step) % size);
      if (!used.has(candidate)) {
        lastIndex = candidate;
        return candidate;
      }
    }
    throw new Error('the local node is full (no free pod address)');
  };

  const launch = (pod: V1Pod, run: PodRun, container: ContainerRun): void => {
    const spec = pod.spec?.containers.find((c) => c.name === container.name);
    if (!spec) return;
    container.startedAt = new Date().toISOString();
    let child;
    try {
      child = startContainer(spec, { pod, run, nodeName, hostIP: network.nodeIP, kubernetesService: apiService, logDir: options.logDir });
    } catch (error) {
      // As a kubelet reports a container that cannot start: terminated with an error, retried per restartPolicy.
      container.exitCode = 128;
      container.finishedAt = new Date().toISOString();
      log.warn('container did not start', { namespace: run.namespace, name: run.name, container: container.name, ...errorFields(error) });
      return;
    }
    container.child = child;
    container.exitCode = undefined;
    container.finishedAt = undefined;
    child.on('error', (error) => {
      // e.g. a hostNetwork container whose command does not exist: no 'exit' follows.
      if (container.exitCode !== undefined) return;
      container.exitCode = 127;
      container.finishedAt = new Date().toISOString();
      log.warn('container did not start', { namespace: run.namespace, name: run.name, container: container.name, ...errorFields(error) });
    });
    child.on('exit', (code, signal) => {
      container.exitCode = code ?? (signal ? 128 + 15 : 1);
      container.finishedAt = new Date().toISOString();
      log.info('container exited', { namespace: run.namespace, name: run.name, container: container.name, exitCode: container.exitCode });
    });
  };

  const startPod = async (pod: V1Pod): Promise<void> => {
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const index = freeIndex();
    const hostNetwork = pod.spec?.hostNetwork === true;
    const net = hostNetwork ? { netns: undefined, ips: [network.nodeIP] } : await createPodNetwork(network, index, namespace);
    const run: PodRun = {
      uid: pod.metadata!.uid!, namespace, name, index, netns: net.netns, ips: net.ips, startTime: new Date().toISOString(),
      containers: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', restartCount: 0 })),
    };
    runs.set(run.uid, run);
    for (const container of run.containers) launch(pod, run, container);
    log.info('pod started', { namespace, name, ips: net.ips, netns: net.netns ?? 'host' });
  };

  const stopPod = async (run: PodRun): Promise<void> => {
    await Promise.all(run.containers.map(async (container) => {
      const child = container.child;
      if (!child?.pid || child.exitCode !== null || child.signalCode !== null || container.exitCode !== undefined) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(timer);
    }));
    if (run.netns) await deletePodNetwork(run.netns);
    runs.delete(run.uid);
    reported.delete(run.uid);
    log.info('pod stopped', { namespace: run.namespace, name: run.name });
  };

  const reportStatus = async (pod: V1Pod, run: PodRun): Promise<void> => {
    const restartAlways = (pod.spec?.restartPolicy ?? 'Always') === 'Always';
    const policy = pod.spec?.restartPolicy ?? 'Always';
    for (const container of run.containers) {
      const due = container.exitCode !== undefined && Date.now() - Date.parse(container.finishedAt!) >= restartDelayMs;
      if (due && !run.finished && (restartAlways || (policy === 'OnFailure' && container.exitCode !== 0))) {
        container.restartCount++;
        launch(pod, run, container);
      }
    }
    const allExitedAt = run.containers.every((c) => c.finishedAt !== undefined)
      ? Math.max(...run.containers.map((c) => Date.parse(c.finishedAt!))) : undefined;
    if (!restartAlways && !run.finished && allExitedAt !== undefined && Date.now() - allExitedAt >= terminalReportDelayMs
      && (policy === 'Never' || run.containers.every((c) => c.exitCode === 0))) {
      run.finished = run.containers.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
      if (run.netns) await deletePodNetwork(run.netns);
    }
    const ready = !run.finished && run.containers.every((c) => c.child && c.exitCode === undefined);
    const status = {
      phase: run.finished ?? 'Running',
      hostIP: network.nodeIP,
      hostIPs: [{ ip: network.nodeIP }],
      podIP: run.ips[0],
      podIPs: run.ips.map((ip) => ({ ip })),
      startTime: new Date(run.startTime),
      conditions: [
        condition('PodScheduled', true, run.startTime),
        condition('Initialized', true, run.startTime),
        condition('ContainersReady', ready, run.startTime),
        condition('Ready', ready, run.startTime),
      ],
      containerStatuses: run.containers.map(containerStatus),
    };
    const key = JSON.stringify({ ...status, conditions: status.conditions.map((c) => c.status), startTime: undefined });
    if (reported.get(run.uid) === key) return;
    await core.patchNamespacedPodStatus({ name: run.name, namespace: run.namespace, body: { status } }, mergePatch);
    reported.set(run.uid, key);
  };

  const pass = async (): Promise<void> => {
    const pods = (await core.listPodForAllNamespaces()).items;
    const present = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? '';
      const namespace = pod.metadata?.namespace ?? '';
      const name = pod.metadata?.name ?? '';
      present.add(uid);
      try {
        if (!pod.spec?.nodeName) {
          if (pod.metadata?.deletionTimestamp) {
            await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
            continue;
          }
          await core.createNamespacedPodBinding({
            name, namespace, body: { metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
          });
          continue;
        }
        if (pod.spec.nodeName !== nodeName) continue;
        const run = runs.get(uid);
        if (pod.metadata?.deletionTimestamp) {
          if (run) await stopPod(run);
          // With a body the API server ignores the query parameters: the grace period goes in the body.
          await core.deleteNamespacedPod({ name, namespace, body: { gracePeriodSeconds: 0, preconditions: { uid } } });
          continue;
        }
        if (!run) {
          if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
          await startPod(pod);
        }
        const current = runs.get(uid);
        if (current) await reportStatus(pod, current);
      } catch (error) {
        if ((error as { code?: number }).code === 404) continue;
        log.warn('pod sync failed', { namespace, name, ...errorFields(error) });
      }
    }
    for (const run of [...runs.values()]) if (!present.has(run.uid)) await stopPod(run);
  };

  const loop = startSyncLoop('node-agent', 250, log, pass);
  return {
    kick: loop.kick,
    running: () => [...runs.values()],
    stop: async () => {
      await loop.stop();
      for (const run of [...runs.values()]) await stopPod(run);
    },
  };
}
