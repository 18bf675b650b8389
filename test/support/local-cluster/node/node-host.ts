import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sh } from '../../netns/topology.js';
import type { NodeLayout } from './node-layout.js';

/** Shared by every local cluster on the machine (tmpfs: a reboot clears it). */
export const hostStateDir = '/run/netmap-local-cluster';
const lockFile = join(hostStateDir, 'node.lock');

/**
 * What a kubelet, containerd and the CNI plugins change outside their own dirs, which the node's
 * stop puts back: the kubelet's sysctls (machine-wide), and fixed paths they create.
 */
const kubeletSysctls = ['vm.overcommit_memory', 'kernel.panic', 'kernel.panic_on_oops'];
const fixedPaths = ['/var/lib/kubelet/device-plugins', '/var/log/containers', '/var/log/pods', '/var/lib/cni', '/run/containerd', '/etc/kubernetes'];

/** Raised when another local cluster's node runs on this machine; the message says which. */
export class NodeBusyError extends Error {}

interface HostRecord {
  readonly sysctls: Record<string, string>;
  /** The first missing ancestor of each fixed path, before the node started: removed on stop. */
  readonly created: string[];
}

const recordFile = (layout: NodeLayout): string => join(hostStateDir, `${layout.prefix}.node-host.json`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One real node at a time on a machine: a kubelet uses fixed host paths (device plugins, pod log
 * links) and containerd fixed shim socket dirs, so two would collide. The lock names the holder;
 * a lock whose process is gone is taken over.
 */
export function lockNode(layout: NodeLayout): void {
  mkdirSync(hostStateDir, { recursive: true });
  if (existsSync(lockFile)) {
    const [pid, prefix] = readFileSync(lockFile, 'utf8').trim().split(' ');
    if (Number(pid) !== process.pid && alive(Number(pid))) {
      throw new NodeBusyError(`Another local cluster's node runs on this machine (prefix ${prefix}, process ${pid}: the main command or the end-to-end test); one real node at a time (fixed kubelet and containerd paths). Stop it first.`);
    }
  }
  writeFileSync(lockFile, `${process.pid} ${layout.prefix}\n`);
}

export function unlockNode(): void {
  if (!existsSync(lockFile)) return;
  const [pid] = readFileSync(lockFile, 'utf8').trim().split(' ');
  if (Number(pid) === process.pid) rmSync(lockFile, { force: true });
}

function firstMissingAncestor(path: string): string | undefined {
  if (existsSync(path)) return undefined;
  let missing = path;
  while (!existsSync(dirname(missing))) missing = dirname(missing);
  return missing;
}

/** Before the node starts: what it will change, unless a crashed run's record is still there (that one holds the values from before it). */
export async function recordHost(layout: NodeLayout): Promise<void> {
  if (existsSync(recordFile(layout))) return;
  const sysctls: Record<string, string> = {};
  for (const name of kubeletSysctls) sysctls[name] = (await sh('sysctl', '-n', name)).trim();
  const created = fixedPaths.map(firstMissingAncestor).filter((p): p is string => p !== undefined);
  writeFileSync(recordFile(layout), JSON.stringify({ sysctls, created } satisfies HostRecord));
}

async function restoreHost(layout: NodeLayout): Promise<void> {
  if (!existsSync(recordFile(layout))) return;
  const record = JSON.parse(readFileSync(recordFile(layout), 'utf8')) as HostRecord;
  for (const [name, value] of Object.entries(record.sysctls)) await sh('sysctl', '-qw', `${name}=${value}`).catch(() => undefined);
  for (const path of record.created) rmSync(path, { recursive: true, force: true });
  rmSync(recordFile(layout), { force: true });
}

/** The mount points below these dirs, deepest first. */
function mountsBelow(dirs: readonly string[]): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => dirs.some((d) => p === d || p.startsWith(`${d}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

const cgroupMount = '/sys/fs/cgroup';

/** The node's cgroup dir in every hierarchy (cgroup v1 controllers and the unified one). */
function nodeCgroupDirs(layout: NodeLayout): string[] {
  if (!existsSync(cgroupMount)) return [];
  const candidates = [join(cgroupMount, layout.cgroupRoot), ...readdirSync(cgroupMount).map((h) => join(cgroupMount, h, layout.cgroupRoot))];
  return candidates.filter((dir) => existsSync(join(dir, 'cgroup.procs')));
}

/** Creates the kubelet's cgroup root in every hierarchy (the kubelet wants it to exist). */
export function createNodeCgroups(layout: NodeLayout): void {
  for (const hierarchy of readdirSync(cgroupMount)) {
    const dir = join(cgroupMount, hierarchy);
    if (existsSync(join(dir, 'cgroup.procs'))) mkdirSync(join(dir, layout.cgroupRoot), { recursive: true });
  }
}

function cgroupTree(dir: string): string[] {
  const children = readdirSync(dir).map((n) => join(dir, n)).filter((p) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  });
  return [...children.flatMap(cgroupTree), dir];
}

function cgroupPids(layout: NodeLayout): number[] {
  const pids = new Set<number>();
  for (const root of nodeCgroupDirs(layout)) {
    for (const dir of cgroupTree(root)) {
      for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) pids.add(Number(pid));
    }
  }
  pids.delete(process.pid);
  return [...pids];
}

async function netnsPids(name: string): Promise<number[]> {
  const out = await sh('ip', 'netns', 'pids', name).catch(() => '');
  return out.split('\n').filter(Boolean).map(Number).filter((pid) => pid !== process.pid);
}

async function netnsExists(name: string): Promise<boolean> {
  return (await sh('ip', 'netns', 'list')).split('\n').some((l) => l.split(' ')[0] === name);
}

function kill(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

async function settle(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Removes whatever a node with this layout left on the machine (its stop's last step, and every
 * start's first, after a crash): processes in its namespaces and cgroups (containerd, its shims,
 * the kubelet, kube-proxy, containers), mounts below its dirs (pods' volumes and network
 * namespaces, containerd's snapshots), its cgroups, namespaces, host link and nft table, the
 * pods' logs and kubelet dir; the sysctls and fixed paths are restored.
 */
export async function cleanUpNodeHost(layout: NodeLayout): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const pids = [...(await netnsPids(layout.netns)), ...(await netnsPids(layout.internet.netns)), ...cgroupPids(layout)];
    if (pids.length === 0) break;
    kill(pids);
    await settle(() => pids.every((pid) => !existsSync(`/proc/${pid}`)));
  }
  for (const point of mountsBelow([layout.runDir, layout.stateDir, layout.cacheDir])) {
    await sh('umount', point).catch(() => sh('umount', '-l', point)).catch(() => undefined);
  }
  for (const root of nodeCgroupDirs(layout)) {
    for (const dir of cgroupTree(root)) {
      try {
        rmdirSync(dir);
      } catch {
        // a process still leaving; the next clean-up removes it
      }
    }
  }
  for (const netns of [layout.netns, layout.internet.netns]) {
    if (await netnsExists(netns)) await sh('ip', 'netns', 'delete', netns).catch(() => undefined);
  }
  await sh('ip', 'link', 'delete', layout.hostLink.hostVeth).catch(() => undefined);
  await sh('nft', 'delete', 'table', 'inet', layout.prefix).catch(() => undefined);
  rmSync(layout.runDir, { recursive: true, force: true });
  rmSync(layout.stateDir, { recursive: true, force: true });
  await restoreHost(layout);
}

/** What a node with this layout has on the machine right now (the end-to-end test expects none after its stop). */
export async function nodeLeftovers(layout: NodeLayout): Promise<string[]> {
  const found: string[] = [];
  for (const netns of [layout.netns, layout.internet.netns]) if (await netnsExists(netns)) found.push(`netns ${netns}`);
  const links = (await sh('ip', '-o', 'link', 'show')).split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((n) => n.startsWith(layout.prefix));
  found.push(...links.map((l) => `link ${l}`));
  if ((await sh('nft', 'list', 'tables')).split('\n').some((l) => l.trim() === `table inet ${layout.prefix}`)) found.push(`nft table inet ${layout.prefix}`);
  found.push(...mountsBelow([layout.runDir, layout.stateDir, layout.cacheDir]).map((m) => `mount ${m}`));
  found.push(...nodeCgroupDirs(layout).map((d) => `cgroup ${d}`));
  found.push(...cgroupPids(layout).map((pid) => `process ${pid} (in the node's cgroups)`));
  for (const dir of [layout.runDir, layout.stateDir]) if (existsSync(dir)) found.push(`dir ${dir}`);
  if (existsSync(recordFile(layout))) found.push(`file ${recordFile(layout)}`);
  return found;
}
