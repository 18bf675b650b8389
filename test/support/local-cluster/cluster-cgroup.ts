import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** nft names a cgroup by its path below /sys/fs/cgroup, whatever the cgroup2 mount point is under it. */
const nftCgroupRoot = '/sys/fs/cgroup';

/**
 * The cgroup (v2) every image container of one local cluster joins, and its control plane. The
 * host network namespace is shared by all local clusters on the machine and they all have the
 * same ClusterIPs, so the kube-proxy's output DNAT (for hostNetwork pods, and for the API server
 * calling a webhook Service, as on a node with kube-proxy) matches only sockets of this cgroup.
 */
export interface ClusterCgroup {
  /** The cgroup's directory (its cgroup.procs takes a pid). */
  readonly dir: string;
  /** Its path as nft's `socket cgroupv2` takes it, and its level in the hierarchy. */
  readonly nftPath: string;
  readonly level: number;
}

function cgroup2Mount(): string | undefined {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[2] === 'cgroup2')?.[1];
}

/** Where this cluster's cgroup is, or undefined when the machine has no cgroup2 below /sys/fs/cgroup. */
export function clusterCgroup(prefix: string): ClusterCgroup | undefined {
  const mount = cgroup2Mount();
  if (!mount || !(mount === nftCgroupRoot || mount.startsWith(`${nftCgroupRoot}/`))) return undefined;
  const dir = join(mount, `netmap-${prefix}`);
  return { dir, nftPath: relative(nftCgroupRoot, dir), level: 1 };
}

export function createClusterCgroup(prefix: string): ClusterCgroup | undefined {
  const cgroup = clusterCgroup(prefix);
  if (cgroup) mkdirSync(cgroup.dir, { recursive: true });
  return cgroup;
}

/** Moves a running process (all its threads) into the cluster's cgroup: its sockets made from then on are matched. */
export function joinClusterCgroup(prefix: string, pid: number): boolean {
  const cgroup = clusterCgroup(prefix);
  if (!cgroup || !existsSync(cgroup.dir)) return false;
  writeFileSync(join(cgroup.dir, 'cgroup.procs'), String(pid));
  return true;
}

/** The pids in this cluster's cgroup (empty when there is none). */
export function cgroupProcesses(prefix: string): number[] {
  const cgroup = clusterCgroup(prefix);
  if (!cgroup || !existsSync(cgroup.dir)) return [];
  return readFileSync(join(cgroup.dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
}

/** Removes the (empty) cgroup; its processes must have been stopped first. */
export function removeClusterCgroup(prefix: string): void {
  const cgroup = clusterCgroup(prefix);
  if (cgroup && existsSync(cgroup.dir)) rmdirSync(cgroup.dir);
}
