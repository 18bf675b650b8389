import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupProcesses, clusterCgroup, removeClusterCgroup } from './cluster-cgroup.js';

/**
 * Where the pods of image containers keep their files (resolv.conf, hosts, the ServiceAccount
 * token, emptyDir volumes) and each container its overlay upper, work and merged dirs. It is on
 * tmpfs, so a reboot clears it too. Mounts live only in each container's own mount namespace:
 * on the host these are plain directories.
 */
export function podRuntimeRoot(prefix: string): string {
  return join('/run/netmap-local-cluster', `${prefix}-pods`);
}

export function podRuntimeDir(prefix: string, podUid: string): string {
  return join(podRuntimeRoot(prefix), podUid);
}

/**
 * Processes of this cluster's containers: those in its cgroup, and (should one have left it)
 * those whose mount table names the container overlay dirs. This finds hostNetwork containers
 * too, which no pod network namespace holds.
 */
export function containerProcesses(prefix: string): number[] {
  const marker = `${podRuntimeRoot(prefix)}/`;
  const pids: number[] = cgroupProcesses(prefix).filter((pid) => pid !== process.pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!pids.includes(Number(entry)) && readFileSync(`/proc/${entry}/mountinfo`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Pod runtime dirs and the cluster's cgroup still on the machine (the end-to-end test expects none after a stop). */
export function podRuntimeLeftovers(prefix: string): string[] {
  const root = podRuntimeRoot(prefix);
  const cgroup = clusterCgroup(prefix);
  return [
    ...(existsSync(root) ? [`dir ${root}`, ...readdirSync(root).map((entry) => `dir ${join(root, entry)}`)] : []),
    ...(cgroup && existsSync(cgroup.dir) ? [`cgroup ${cgroup.dir}`] : []),
  ];
}

/** Kills this cluster's container processes (their mount namespaces and mounts go with them), then removes the dirs. */
export async function cleanUpPodRuntime(prefix: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = containerProcesses(prefix);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  rmSync(podRuntimeRoot(prefix), { recursive: true, force: true });
  removeClusterCgroup(prefix);
}
