import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import {
  CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Container, type V1Pod, type V1PodCondition, type V1ContainerStatus,
} from '@kubernetes/client-node';
import type { ChildProcess } from 'node:child_process';
import { errorFields } from '../../../src/shared/logger.js';
import { componentLogger } from '../component-process.js';
import type { ClusterNetwork } from './host-network.js';
import { ContainerConfigError } from './container-spec.js';
import { startImageContainer } from './image-container.js';
import { imageStore, type ImageSource } from './image-store.js';
import { createPodNetwork, deletePodNetwork, startContainer, type ContainerRun, type PodRun } from './node-agent-pod.js';
import { writePodFiles } from './pod-files.js';
import { initialReadiness, probeIfDue, probeTarget } from './readiness-probe.js';
import { projectServiceAccountToken } from './service-account-token.js';
import { startSyncLoop, type SyncLoop } from './sync-loop.js';

const log = componentLogger('local-node-agent');
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
/** A kubelet reports ErrImagePull for the first failed pull, then ImagePullBackOff while it waits to retry. */
const imagePullBackOffAfterMs = 5000;
const tokenRetryMs = 10_000;

export interface NodeAgentOptions {
  readonly nodeName: string;
  readonly network: ClusterNetwork;
  readonly logDir: string;
  /** Images this node has, by the reference pods name: their containers run from the image. */
  readonly images?: ReadonlyMap<string, ImageSource>;
  /** Where images are unpacked (once per manifest digest); the machine-wide cache by default. */
  readonly imageCacheDir?: string;
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

function waitingReason(waiting: NonNullable<ContainerRun['waiting']>): string {
  return waiting.reason === 'ErrImagePull' && Date.now() - waiting.since >= imagePullBackOffAfterMs ? 'ImagePullBackOff' : waiting.reason;
}

function containerStatus(container: ContainerRun): V1ContainerStatus {
  const running = container.child !== undefined && container.exitCode === undefined;
  return {
    name: container.name,
    image: container.image,
    imageID: container.imageID ?? '',
    containerID: container.child?.pid ? `local://${container.child.pid}` : undefined,
    ready: running && (container.readiness?.ready ?? true),
    started: running,
    restartCount: container.restartCount,
    state: running
      ? { running: { startedAt: new Date(container.startedAt!) } }
      : container.exitCode !== undefined
        ? { terminated: { exitCode: container.exitCode, reason: container.exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date(container.finishedAt!), startedAt: new Date(container.startedAt!) } }
        : { waiting: { reason: container.waiting ? waitingReason(container.waiting) : 'ContainerCreating', message: container.waiting?.message } },
  };
}

function caPem(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  if (cluster?.caFile) return readFileSync(cluster.caFile, 'utf8');
  throw new Error('the kubeconfig names no cluster CA: pods could not verify the API server');
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
  const images = imageStore(options.images ?? new Map(), options.imageCacheDir);
  const clusterCa = caPem(kc);
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

  const failedToStart = (run: PodRun, container: ContainerRun, exitCode: number, error: unknown): void => {
    // As a kubelet reports a container that cannot start: terminated with an error, retried per restartPolicy.
    container.exitCode = exitCode;
    container.finishedAt = new Date().toISOString();
    log.warn('container did not start', { namespace: run.namespace, name: run.name, container: container.name, ...errorFields(error) });
  };

  /** Whether the pod's files (resolv.conf, hosts, token) are written; retried on every pass until they are. */
  const ensurePodFiles = async (pod: V1Pod, run: PodRun): Promise<boolean> => {
    if (run.files) return true;
    try {
      const written = await writePodFiles(core, pod, run, network, clusterCa);
      run.files = written.files;
      run.tokenRefreshAt = written.tokenRefreshAt;
      return true;
    } catch (error) {
      for (const container of run.containers) {
        if (images.has(container.image)) container.waiting = { reason: 'ContainerCreating', message: `pod files not written yet: ${error instanceof Error ? error.message : String(error)}`, since: Date.now() };
      }
      log.warn('pod files not written', { namespace: run.namespace, name: run.name, ...errorFields(error) });
      return false;
    }
  };

  const spawnContainer = async (pod: V1Pod, run: PodRun, container: ContainerRun, spec: V1Container): Promise<ChildProcess | undefined> => {
    const context = { pod, run, nodeName, hostIP: network.nodeIP, kubernetesService: apiService, logDir: options.logDir };
    if (!images.has(container.image)) {
      if (spec.command?.length) return startContainer(spec, context);
      container.waiting = { reason: 'ErrImagePull', message: `image ${container.image} is not on this node and the container has no command to run as a process`, since: container.waiting?.since ?? Date.now() };
      return undefined;
    }
    let prepared;
    try {
      prepared = await images.prepare(container.image);
    } catch (error) {
      container.waiting = { reason: 'ErrImagePull', message: error instanceof Error ? error.message : String(error), since: Date.now() };
      return undefined;
    }
    container.imageID = prepared.image.manifestDigest;
    if (!(await ensurePodFiles(pod, run))) return undefined;
    try {
      return startImageContainer(spec, context, prepared, run.files!);
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) throw error;
      container.waiting = { reason: 'CreateContainerConfigError', message: error.message, since: Date.now() };
      log.warn('container config refused', { namespace: run.namespace, name: run.name, container: container.name, reason: error.message });
      return undefined;
    }
  };

  const launch = async (pod: V1Pod, run: PodRun, container: ContainerRun): Promise<void> => {
    const spec = pod.spec?.containers.find((c) => c.name === container.name);
    if (!spec) return;
    let child;
    try {
      child = await spawnContainer(pod, run, container, spec);
    } catch (error) {
      container.startedAt = new Date().toISOString();
      failedToStart(run, container, 128, error);
      return;
    }
    if (!child) return;
    container.startedAt = new Date().toISOString();
    container.waiting = undefined;
    container.readiness = initialReadiness(spec.readinessProbe, Date.now());
    container.child = child;
    container.exitCode = undefined;
    container.finishedAt = undefined;
    child.on('error', (error) => {
      // e.g. a hostNetwork container whose command does not exist: no 'exit' follows.
      if (container.exitCode !== undefined) return;
      failedToStart(run, container, 127, error);
    });
    child.on('exit', (code, signal) => {
      container.exitCode = code ?? (signal ? 128 + 15 : 1);
      container.finishedAt = new Date().toISOString();
      log.info('container exited', { namespace: run.namespace, name: run.name, container: container.name, exitCode: container.exitCode });
    });
  };

  /** Readiness probes when due, and the ServiceAccount token renewed at 80 % of its life. */
  const maintain = async (pod: V1Pod, run: PodRun): Promise<void> => {
    for (const container of run.containers) {
      const spec = pod.spec?.containers.find((c) => c.name === container.name);
      const probe = spec?.readinessProbe;
      if (!spec || !probe || !container.readiness || !container.child || container.exitCode !== undefined) continue;
      const target = probeTarget(probe, spec, run.ips[0] ?? network.nodeIP);
      if (target) probeIfDue(probe, target, container.readiness, Date.now());
    }
    if (run.tokenRefreshAt !== undefined && run.files?.serviceAccountDir && Date.now() >= run.tokenRefreshAt) {
      try {
        run.tokenRefreshAt = await projectServiceAccountToken(core, pod, run.files.serviceAccountDir, clusterCa);
        log.info('service account token refreshed', { namespace: run.namespace, name: run.name });
      } catch (error) {
        run.tokenRefreshAt = Date.now() + tokenRetryMs;
        log.warn('service account token not refreshed', { namespace: run.namespace, name: run.name, ...errorFields(error) });
      }
    }
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
    for (const container of run.containers) await launch(pod, run, container);
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
    // The containers' mounts went with their processes (each had its own mount namespace).
    if (run.files) rmSync(run.files.dir, { recursive: true, force: true });
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
        await launch(pod, run, container);
      } else if (!container.child && container.waiting?.reason === 'ContainerCreating') {
        await launch(pod, run, container);
      }
    }
    await maintain(pod, run);
    const allExitedAt = run.containers.every((c) => c.finishedAt !== undefined)
      ? Math.max(...run.containers.map((c) => Date.parse(c.finishedAt!))) : undefined;
    if (!restartAlways && !run.finished && allExitedAt !== undefined && Date.now() - allExitedAt >= terminalReportDelayMs
      && (policy === 'Never' || run.containers.every((c) => c.exitCode === 0))) {
      run.finished = run.containers.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
      if (run.netns) await deletePodNetwork(run.netns);
    }
    const ready = !run.finished && run.containers.every((c) => c.child && c.exitCode === undefined && (c.readiness?.ready ?? true));
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
