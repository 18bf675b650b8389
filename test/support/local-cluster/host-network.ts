import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../netns/topology.js';
import { createClusterCgroup } from './cluster-cgroup.js';
import { cleanUpPodRuntime, containerProcesses, podRuntimeLeftovers } from './pod-runtime-dirs.js';

/**
 * The addresses and names of one local cluster's network. Every name starts with `prefix`, so a
 * crashed run's leftovers can be found and removed by the next one.
 */
export interface ClusterNetwork {
  readonly prefix: string;
  readonly bridge: string;
  readonly gateway4: string;
  readonly gateway6: string;
  /** The node's InternalIP (on the bridge); hostNetwork pods get it as their pod IP, the API server advertises it. */
  readonly nodeIP: string;
  /** The kube-dns Service's fixed ClusterIP: every pod's nameserver. */
  readonly dnsServiceIP: string;
  readonly podCidr4: string;
  readonly podCidr6: string;
  readonly nftTable: string;
  readonly internet: { readonly netns: string; readonly hostVeth: string; readonly hostIP: string; readonly ip: string };
}

/** `octet` picks the /24 (10.244.<octet>.0/24, fd00:244:<octet>::/64) so two clusters can coexist. */
export function clusterNetwork(prefix: string, octet: number): ClusterNetwork {
  if (!/^[a-z][a-z0-9]{1,5}$/.test(prefix)) throw new Error(`prefix must be 2-6 lowercase letters/digits, not ${prefix}`);
  return {
    prefix,
    bridge: `${prefix}br`,
    gateway4: `10.244.${octet}.1`,
    gateway6: `fd00:244:${octet}::1`,
    nodeIP: `10.244.${octet}.2`,
    dnsServiceIP: '10.96.0.10',
    podCidr4: `10.244.${octet}.0/24`,
    podCidr6: `fd00:244:${octet}::/64`,
    nftTable: prefix,
    internet: { netns: `${prefix}-inet`, hostVeth: `${prefix}vinet`, hostIP: `10.245.${octet}.1`, ip: `10.245.${octet}.10` },
  };
}

export function podNetnsName(network: ClusterNetwork, index: number): string {
  return `${network.prefix}-p${index}`;
}

export function podHostVeth(network: ClusterNetwork, index: number): string {
  return `${network.prefix}v${index}`;
}

const netnsConfigDir = '/etc/netns';

/**
 * `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf: that is how a
 * pod's processes get the cluster DNS (the kube-dns ClusterIP, as a kubelet writes it) without a
 * container image.
 */
export function writeResolvConf(netns: string, nameserver: string, podNamespace: string): void {
  const dir = join(netnsConfigDir, netns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'resolv.conf'), clusterResolvConf(nameserver, podNamespace));
}

/** A pod's resolv.conf with the cluster DNS, as a kubelet writes it for dnsPolicy ClusterFirst. */
export function clusterResolvConf(nameserver: string, podNamespace: string): string {
  return [
    `nameserver ${nameserver}`,
    `search ${podNamespace}.svc.cluster.local svc.cluster.local cluster.local`,
    'options ndots:5 timeout:1 attempts:2',
    '',
  ].join('\n');
}

export function removeNetnsConfig(netns: string): void {
  rmSync(join(netnsConfigDir, netns), { recursive: true, force: true });
}

/**
 * IPv4 forwarding is machine-wide and several local clusters (the main command, the end-to-end
 * test, other worktrees) may run at once: each registers itself here, the first one saves the
 * original value, the last one to leave restores it.
 */
const forwardingStateDir = '/run/netmap-local-cluster';
const originalForwardingFile = join(forwardingStateDir, 'ip_forward.original');

async function claimForwarding(prefix: string): Promise<void> {
  mkdirSync(forwardingStateDir, { recursive: true });
  if (!existsSync(originalForwardingFile)) writeFileSync(originalForwardingFile, readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim());
  writeFileSync(join(forwardingStateDir, `${prefix}.uses-forwarding`), String(process.pid));
  await sh('sysctl', '-qw', 'net.ipv4.ip_forward=1');
}

async function releaseForwarding(prefix: string): Promise<void> {
  rmSync(join(forwardingStateDir, `${prefix}.uses-forwarding`), { force: true });
  if (!existsSync(forwardingStateDir) || !existsSync(originalForwardingFile)) return;
  if (readdirSync(forwardingStateDir).some((f) => f.endsWith('.uses-forwarding'))) return;
  await sh('sysctl', '-qw', `net.ipv4.ip_forward=${readFileSync(originalForwardingFile, 'utf8').trim()}`).catch(() => undefined);
  rmSync(originalForwardingFile, { force: true });
}

/**
 * The bridge (gateway and node addresses), the cluster's cgroup, IPv4 forwarding (restored by the last cluster's cleanup) and
 * br_netfilter's call into iptables/nft for bridged traffic, so replies from a DNATed endpoint on
 * the same bridge are translated back.
 */
export async function setUpHostNetwork(network: ClusterNetwork): Promise<void> {
  await sh('modprobe', 'br_netfilter').catch(() => undefined);
  if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
    throw new Error('br_netfilter is not available: replies from Service endpoints on the bridge would not be un-DNATed');
  }
  await sh('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1', 'net.bridge.bridge-nf-call-ip6tables=1');
  await claimForwarding(network.prefix);

  // A fixed MAC: a bridge without one takes the lowest MAC of its ports, so it changed whenever
  // such a pod went (a CronJob's, every minute) and pods kept the old one for the gateway and the
  // node IP until their ARP entries went stale; traffic to the node IP that no DNAT reroutes
  // (the node's metrics port) timed out meanwhile.
  const octet = Number(network.gateway4.split('.')[2]);
  await sh('ip', 'link', 'add', network.bridge, 'address', `02:4e:4d:${octet.toString(16).padStart(2, '0')}:00:01`, 'type', 'bridge');
  await sh('ip', 'addr', 'add', `${network.gateway4}/24`, 'dev', network.bridge);
  await sh('ip', 'addr', 'add', `${network.nodeIP}/24`, 'dev', network.bridge);
  await sh('ip', 'addr', 'add', `${network.gateway6}/64`, 'dev', network.bridge, 'nodad');
  await sh('ip', 'link', 'set', network.bridge, 'up');
  // Before the kube-proxy's first rules: nft resolves the cgroup when they are loaded.
  createClusterCgroup(network.prefix);
}

/** What a cluster with this prefix has on the machine right now (the end-to-end test expects none afterwards). */
export async function leftovers(prefix: string): Promise<string[]> {
  const found: string[] = [];
  const netns = (await sh('ip', 'netns', 'list')).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`${prefix}-`));
  found.push(...netns.map((n) => `netns ${n}`));
  const links = (await sh('ip', '-o', 'link', 'show')).split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
  found.push(...links.map((n) => `link ${n}`));
  const tables = (await sh('nft', 'list', 'tables')).split('\n').filter((l) => l.trim() === `table inet ${prefix}`);
  found.push(...tables.map((t) => `nft ${t}`));
  if (existsSync(netnsConfigDir)) {
    found.push(...readdirSync(netnsConfigDir).filter((n) => n.startsWith(`${prefix}-`)).map((n) => `file ${join(netnsConfigDir, n)}`));
  }
  found.push(...(await netnsProcesses(netns)).map((pid) => `process ${pid}`));
  found.push(...containerProcesses(prefix).map((pid) => `container process ${pid}`), ...podRuntimeLeftovers(prefix));
  const marker = join(forwardingStateDir, `${prefix}.uses-forwarding`);
  if (existsSync(marker)) found.push(`file ${marker}`);
  return found;
}

/** Whether other local clusters still hold IPv4 forwarding on (then it is not restored yet). */
export function otherClustersForwarding(): boolean {
  return existsSync(forwardingStateDir) && readdirSync(forwardingStateDir).some((f) => f.endsWith('.uses-forwarding'));
}

async function netnsProcesses(names: readonly string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const name of names) {
    const out = await sh('ip', 'netns', 'pids', name).catch(() => '');
    pids.push(...out.split('\n').filter(Boolean).map(Number));
  }
  return pids;
}

/**
 * Removes everything named with `prefix`: container processes (with their mounts) and their
 * runtime dirs, processes in its namespaces, namespaces, links, nft table, /etc/netns files.
 */
export async function cleanUpHostNetwork(prefix: string): Promise<void> {
  await cleanUpPodRuntime(prefix);
  const netns = (await sh('ip', 'netns', 'list')).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`${prefix}-`));
  for (const pid of await netnsProcesses(netns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const name of netns) await sh('ip', 'netns', 'delete', name).catch(() => undefined);
  const links = (await sh('ip', '-o', 'link', 'show')).split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
  for (const link of links) await sh('ip', 'link', 'delete', link).catch(() => undefined);
  await sh('nft', 'delete', 'table', 'inet', prefix).catch(() => undefined);
  if (existsSync(netnsConfigDir)) {
    for (const name of readdirSync(netnsConfigDir).filter((n) => n.startsWith(`${prefix}-`))) removeNetnsConfig(name);
  }
  await releaseForwarding(prefix);
}
