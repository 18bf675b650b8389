import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { resolveInRoot } from '../oci/resolve-in-root.js';
import { containerExecHelper, containerLauncher } from './container-exec-build.js';
import {
  ContainerConfigError, containerArgv, containerCapabilities, containerIdentity, envRecord, expandReferences,
} from './container-spec.js';
import type { PreparedImage } from './image-store.js';
import { fieldValue, type ContainerContext } from './node-agent-pod.js';
import { serviceAccountMountPath } from './service-account-token.js';

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What the node agent prepared for the pod before its containers start. */
export interface PodFiles {
  readonly dir: string;
  readonly resolvConf: string;
  readonly hosts: string;
  /** The cluster cgroup's cgroup.procs, which every container joins. */
  readonly cgroupProcs?: string;
  /** The kube-api-access token dir, absent when the pod does not mount one. */
  readonly serviceAccountDir?: string;
}

interface Mount {
  readonly mode: 'ro' | 'rw';
  readonly source: string;
  readonly target: string;
}

/** The environment a kubelet and runtime give the container: the image's Env, the API server's Service, the container's env. */
function imageContainerEnv(container: V1Container, context: ContainerContext, image: PreparedImage, hostname: string): Record<string, string> {
  const { host, port } = context.kubernetesService;
  const env: Record<string, string> = {
    PATH: defaultPath,
    ...envRecord(image.image.env),
    HOSTNAME: hostname,
    KUBERNETES_SERVICE_HOST: host,
    KUBERNETES_SERVICE_PORT: String(port),
    KUBERNETES_SERVICE_PORT_HTTPS: String(port),
    KUBERNETES_PORT: `tcp://${host}:${port}`,
    [`KUBERNETES_PORT_${port}_TCP`]: `tcp://${host}:${port}`,
    [`KUBERNETES_PORT_${port}_TCP_PROTO`]: 'tcp',
    [`KUBERNETES_PORT_${port}_TCP_PORT`]: String(port),
    [`KUBERNETES_PORT_${port}_TCP_ADDR`]: host,
  };
  if (container.envFrom?.length) throw new ContainerConfigError('envFrom: the local node agent takes env values and downward API fieldRefs only');
  for (const variable of container.env ?? []) {
    const value = fieldValue(variable, context);
    if (value === undefined) throw new ContainerConfigError(`env ${variable.name}: only values and the downward API's metadata/spec/status fieldRefs are supported`);
    env[variable.name] = expandReferences(value, env);
  }
  return env;
}

/** argv[0] as the runtime finds it: a path as given, a bare name through the container's PATH inside its root. */
function executable(rootfs: string, name: string, path: string): string {
  if (name.includes('/')) return name;
  for (const dir of path.split(':').filter(Boolean)) {
    const candidate = `${dir.replace(/\/$/, '')}/${name}`;
    const host = resolveInRoot(rootfs, candidate);
    if (existsSync(host) && !lstatSync(host).isDirectory()) return candidate;
  }
  throw new ContainerConfigError(`exec: "${name}": executable file not found in $PATH`);
}

/** The container path `path` resolves to inside the image (symbolic links followed within the root). */
function inRoot(rootfs: string, path: string): string {
  return `/${relative(rootfs, resolveInRoot(rootfs, path))}`;
}

function volumeSource(volume: V1Volume | undefined, podDir: string, name: string): string {
  if (!volume) throw new ContainerConfigError(`volumeMount ${name} names no volume of the pod`);
  if (volume.hostPath) {
    const { path, type = '' } = volume.hostPath;
    if (!existsSync(path)) {
      if (type === 'DirectoryOrCreate') mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (type === 'FileOrCreate') writeFileSync(path, '', { mode: 0o644 });
      else throw new ContainerConfigError(`hostPath ${path} of volume ${name} does not exist`);
    }
    return path;
  }
  if (volume.emptyDir) {
    const dir = join(podDir, 'volumes', name);
    mkdirSync(dir, { recursive: true });
    // World-writable as a kubelet makes it (whatever the umask), so any container user can write.
    chmodSync(dir, 0o777);
    return dir;
  }
  throw new ContainerConfigError(`volume ${name}: the local node agent mounts hostPath and emptyDir volumes (and the ServiceAccount token) only`);
}

function containerMounts(container: V1Container, pod: V1Pod, files: PodFiles, rootfs: string): Mount[] {
  const mounts: Mount[] = [
    { mode: 'rw', source: files.resolvConf, target: inRoot(rootfs, '/etc/resolv.conf') },
    { mode: 'rw', source: files.hosts, target: inRoot(rootfs, '/etc/hosts') },
  ];
  const volumeMounts = container.volumeMounts ?? [];
  if (files.serviceAccountDir && !volumeMounts.some((m) => m.mountPath === serviceAccountMountPath)) {
    mounts.push({ mode: 'ro', source: files.serviceAccountDir, target: inRoot(rootfs, serviceAccountMountPath) });
  }
  for (const mount of volumeMounts) {
    const volume = pod.spec?.volumes?.find((v) => v.name === mount.name);
    const source = volumeSource(volume, files.dir, mount.name);
    mounts.push({ mode: mount.readOnly ? 'ro' : 'rw', source: mount.subPath ? join(source, mount.subPath) : source, target: inRoot(rootfs, mount.mountPath) });
  }
  return mounts;
}

/** The container's own dir under the pod's: overlay upper/work/merged and the mount list; a restart starts from a clean upper dir. */
export function containerDir(podDir: string, name: string): string {
  return join(podDir, 'containers', name);
}

/**
 * Starts an image container: `unshare` gives it a mount (and, off hostNetwork, UTS) namespace,
 * container-launcher.sh mounts its overlay root and volumes, container-exec enters the root with
 * the container's user, capabilities and working directory. Every step execs the next, so the
 * returned process is the container's own: signals reach it. Throws ContainerConfigError for what
 * a kubelet would refuse to start.
 */
export function startImageContainer(container: V1Container, context: ContainerContext, image: PreparedImage, files: PodFiles): ChildProcess {
  const { pod, run } = context;
  const security = container.securityContext;
  const identity = containerIdentity(image.image.user, container, pod.spec?.securityContext, image);
  const capabilities = containerCapabilities(security, identity.uid);
  const hostname = run.netns ? (pod.spec?.hostname ?? pod.metadata?.name ?? '') : context.nodeName;
  const env = imageContainerEnv(container, context, image, hostname);
  const argv = containerArgv(image.image, container).map((arg) => expandReferences(arg, env));
  if (argv.length === 0) throw new ContainerConfigError('no command specified: the image has no Entrypoint or Cmd and the container no command');
  const program = executable(image.rootfs, argv[0]!, env.PATH ?? defaultPath);
  const workdir = inRoot(image.rootfs, container.workingDir || image.image.workingDir || '/');
  const mounts = containerMounts(container, pod, files, image.rootfs);

  const dir = containerDir(files.dir, container.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const mountsFile = join(dir, 'mounts');
  writeFileSync(mountsFile, mounts.map((m) => `${m.mode}\t${m.source}\t${m.target}\n`).join(''));

  const noNewPrivs = security?.allowPrivilegeEscalation === false && security.privileged !== true;
  const launch = [
    ...(run.netns ? ['/usr/bin/nsenter', `--net=/run/netns/${run.netns}`, '--'] : []),
    '/usr/bin/unshare', '--mount', '--propagation', 'private', ...(run.netns ? ['--uts'] : []), '--',
    '/bin/sh', containerLauncher, files.cgroupProcs ?? '-', image.rootfs, dir, security?.readOnlyRootFilesystem ? '1' : '0', mountsFile,
    run.netns ? hostname : '-', workdir,
    containerExecHelper(), String(identity.uid), String(identity.gid), identity.groups.length ? identity.groups.join(',') : '-',
    capabilities.bounding.toString(16), capabilities.ambient.toString(16), noNewPrivs ? '1' : '0', program, ...argv,
  ];
  const logFile = join(context.logDir, `${pod.metadata?.namespace}_${pod.metadata?.name}_${container.name}.log`);
  const fd = openSync(logFile, 'a');
  try {
    return spawn(launch[0]!, launch.slice(1), { env, cwd: '/', stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}
