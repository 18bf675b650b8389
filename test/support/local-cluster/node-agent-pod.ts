import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { sh } from '../netns/topology.js';
import { podHostVeth, podNetnsName, removeNetnsConfig, writeResolvConf, type ClusterNetwork } from './host-network.js';
import type { PodFiles } from './image-container.js';
import type { ReadinessState } from './readiness-probe.js';

/** One container's process and what the pod status says about it. */
export interface ContainerRun {
  readonly name: string;
  readonly image: string;
  child?: ChildProcess;
  startedAt?: string;
  exitCode?: number;
  finishedAt?: string;
  restartCount: number;
  /** Why it is not running, as a kubelet reports it (ContainerCreating, ErrImagePull, CreateContainerConfigError). */
  waiting?: { readonly reason: string; readonly message?: string; readonly since: number };
  /** The image's manifest digest, for image containers. */
  imageID?: string;
  readiness?: ReadinessState;
}

/** A pod running on the local node: its network namespace (unless hostNetwork) and its processes. */
export interface PodRun {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly index: number;
  readonly netns?: string;
  readonly ips: readonly string[];
  readonly startTime: string;
  readonly containers: ContainerRun[];
  /** resolv.conf, hosts and the ServiceAccount token of a pod with image containers, once written. */
  files?: PodFiles;
  tokenRefreshAt?: number;
  /** Set once every container of a pod that does not restart them has exited. */
  finished?: 'Succeeded' | 'Failed';
}

export function podIPs(network: ClusterNetwork, index: number): string[] {
  return [network.podCidr4.replace(/\.0\/24$/, `.${index}`), network.podCidr6.replace(/::\/64$/, `::${index.toString(16)}`)];
}

/** The pod's network: a namespace with lo, and eth0 as one end of a veth whose other end is on the bridge. */
export async function createPodNetwork(network: ClusterNetwork, index: number, podNamespace: string): Promise<{ netns: string; ips: string[] }> {
  const netns = podNetnsName(network, index);
  const veth = podHostVeth(network, index);
  const ips = podIPs(network, index);
  await sh('ip', 'netns', 'add', netns);
  await sh('ip', '-n', netns, 'link', 'set', 'lo', 'up');
  await sh('ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
  await sh('ip', 'link', 'set', veth, 'master', network.bridge, 'up');
  await sh('ip', '-n', netns, 'addr', 'add', `${ips[0]}/24`, 'dev', 'eth0');
  await sh('ip', '-n', netns, 'addr', 'add', `${ips[1]}/64`, 'dev', 'eth0', 'nodad');
  await sh('ip', '-n', netns, 'link', 'set', 'eth0', 'up');
  await sh('ip', '-n', netns, 'route', 'add', 'default', 'via', network.gateway4);
  await sh('ip', '-n', netns, '-6', 'route', 'add', 'default', 'via', network.gateway6);
  writeResolvConf(netns, network.dnsServiceIP, podNamespace);
  return { netns, ips };
}

export async function deletePodNetwork(netns: string): Promise<void> {
  const pids = await sh('ip', 'netns', 'pids', netns).catch(() => '');
  for (const pid of pids.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Deleting the namespace deletes eth0 and with it the host end of the veth.
  await sh('ip', 'netns', 'delete', netns).catch(() => undefined);
  removeNetnsConfig(netns);
}

export interface ContainerContext {
  readonly pod: V1Pod;
  readonly run: PodRun;
  readonly nodeName: string;
  readonly hostIP: string;
  readonly kubernetesService: { host: string; port: number };
  readonly logDir: string;
}

/** A plain value or one of the downward API's fieldRefs a kubelet resolves (undefined for others). */
export function fieldValue(env: V1EnvVar, context: ContainerContext): string | undefined {
  if (env.value !== undefined) return env.value;
  // The API omits `value: ""`; a kubelet sets such a variable to the empty string.
  if (env.valueFrom === undefined) return '';
  switch (env.valueFrom?.fieldRef?.fieldPath) {
    case 'metadata.name': return context.pod.metadata?.name;
    case 'metadata.namespace': return context.pod.metadata?.namespace;
    case 'metadata.uid': return context.pod.metadata?.uid;
    case 'spec.nodeName': return context.nodeName;
    case 'spec.serviceAccountName': return context.pod.spec?.serviceAccountName || 'default';
    case 'status.podIP': return context.run.ips[0];
    case 'status.hostIP': return context.hostIP;
    default: return undefined;
  }
}

/** The environment a kubelet would give the container: its env, the pod's identity, the API server's Service. */
export function containerEnv(container: V1Container, context: ContainerContext): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOSTNAME: context.pod.spec?.hostname ?? context.pod.metadata?.name ?? '',
    POD_NAME: context.pod.metadata?.name ?? '',
    POD_NAMESPACE: context.pod.metadata?.namespace ?? '',
    POD_IP: context.run.ips[0] ?? '',
    KUBERNETES_SERVICE_HOST: context.kubernetesService.host,
    KUBERNETES_SERVICE_PORT: String(context.kubernetesService.port),
  };
  for (const variable of container.env ?? []) {
    const value = fieldValue(variable, context);
    // As a kubelet does: $(NAME) expands to a variable defined before it, $$ escapes a $.
    if (value !== undefined) env[variable.name] = value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name?: string) => (name === undefined ? '$' : env[name] ?? whole));
  }
  return env;
}

/** Starts the container's command+args with the host filesystem, inside the pod's namespace. */
export function startContainer(container: V1Container, context: ContainerContext): ChildProcess {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv.length === 0) throw new Error(`container ${container.name} has no command: the local node runs no images`);
  const logFile = join(context.logDir, `${context.pod.metadata?.namespace}_${context.pod.metadata?.name}_${container.name}.log`);
  const fd = openSync(logFile, 'a');
  const [command, ...args] = context.run.netns ? ['ip', 'netns', 'exec', context.run.netns, ...argv] : argv;
  try {
    return spawn(command!, args, { env: containerEnv(container, context), cwd: '/', stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}
