import { spawnSync } from 'node:child_process';
import { sh } from '../../netns/topology.js';
import type { NodeLayout } from './node-layout.js';

const octetOf = (layout: NodeLayout): number => Number(layout.gateway4.split('.')[2]);

/** Runs a command in the node's network namespace only (the host's mount namespace stays, as containerd and the kubelet share mounts). */
export function inNode(layout: NodeLayout, command: string, ...args: string[]): Promise<string> {
  return sh('nsenter', `--net=/run/netns/${layout.netns}`, '--', command, ...args);
}

/**
 * The node's network namespace: loopback, forwarding and br_netfilter on (both are per
 * namespace, so the host's settings stay as they were), the pods' bridge with the gateway and the
 * node IP, a veth pair to the host (the API server's advertised address is the host's end; the
 * host routes the pod network and the Service range to the node, so the API server reaches the
 * kubelet, pods and webhook Services as on a node with kube-proxy), the local internet behind it,
 * and an nft input rule on the host keeping the API server's port closed to everything but
 * loopback and the node.
 */
export async function setUpNodeNetwork(layout: NodeLayout, apiServerPort?: number): Promise<void> {
  const { hostLink, internet } = layout;
  await sh('ip', 'netns', 'add', layout.netns);
  await inNode(layout, 'ip', 'link', 'set', 'lo', 'up');
  await inNode(layout, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1',
    'net.bridge.bridge-nf-call-iptables=1', 'net.bridge.bridge-nf-call-ip6tables=1');
  // A fixed MAC: a bridge without one takes the lowest MAC of its ports, and changes it when that
  // pod goes; pods then send to a MAC that is gone until their ARP entries go stale.
  const octet = octetOf(layout);
  await inNode(layout, 'ip', 'link', 'add', layout.bridge, 'address', `02:4e:4d:${octet.toString(16).padStart(2, '0')}:00:01`, 'type', 'bridge');
  await inNode(layout, 'ip', 'addr', 'add', `${layout.gateway4}/24`, 'dev', layout.bridge);
  await inNode(layout, 'ip', 'addr', 'add', `${layout.nodeIP}/24`, 'dev', layout.bridge);
  await inNode(layout, 'ip', 'addr', 'add', `${layout.gateway6}/64`, 'dev', layout.bridge, 'nodad');
  await inNode(layout, 'ip', 'link', 'set', layout.bridge, 'up');

  await sh('ip', 'link', 'add', hostLink.hostVeth, 'type', 'veth', 'peer', 'name', hostLink.nodeVeth, 'netns', layout.netns);
  await sh('ip', 'addr', 'add', `${hostLink.hostIP}/30`, 'dev', hostLink.hostVeth);
  await sh('ip', 'link', 'set', hostLink.hostVeth, 'up');
  await inNode(layout, 'ip', 'addr', 'add', `${hostLink.nodeSideIP}/30`, 'dev', hostLink.nodeVeth);
  await inNode(layout, 'ip', 'link', 'set', hostLink.nodeVeth, 'up');
  // The node's own connections to the control plane come from its InternalIP, as on a real node.
  await inNode(layout, 'ip', 'route', 'replace', `${hostLink.hostIP}/32`, 'dev', hostLink.nodeVeth, 'src', layout.nodeIP);
  await sh('ip', 'route', 'add', layout.podCidr4, 'via', hostLink.nodeSideIP, 'dev', hostLink.hostVeth);
  await sh('ip', 'route', 'add', layout.serviceCidr, 'via', hostLink.nodeSideIP, 'dev', hostLink.hostVeth);

  await sh('ip', 'netns', 'add', internet.netns);
  await sh('ip', '-n', internet.netns, 'link', 'set', 'lo', 'up');
  await inNode(layout, 'ip', 'link', 'add', internet.nodeVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', internet.netns);
  await inNode(layout, 'ip', 'addr', 'add', `${internet.nodeSideIP}/24`, 'dev', internet.nodeVeth);
  await inNode(layout, 'ip', 'link', 'set', internet.nodeVeth, 'up');
  await sh('ip', '-n', internet.netns, 'addr', 'add', `${internet.ip}/24`, 'dev', 'eth0');
  await sh('ip', '-n', internet.netns, 'link', 'set', 'eth0', 'up');
  await sh('ip', '-n', internet.netns, 'route', 'add', 'default', 'via', internet.nodeSideIP);
  // The node's uplink.
  await inNode(layout, 'ip', 'route', 'add', 'default', 'via', internet.ip, 'dev', internet.nodeVeth);

  if (apiServerPort) closeApiServerPort(layout, apiServerPort);
}

/** The API server binds every address of the host: only loopback and the node may reach its port. */
export function closeApiServerPort(layout: NodeLayout, port: number): void {
  const rules = [
    `table inet ${layout.prefix} {`,
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    tcp dport ${port} iifname != { "lo", "${layout.hostLink.hostVeth}" } drop`,
    '  }',
    '}',
  ].join('\n');
  const result = spawnSync('nft', ['-f', '-'], { input: rules, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`nft: ${result.stderr}`);
}
