import type { Topology } from './topology.js';

/**
 * A "node" namespace and a "snd" namespace joined by a veth pair (`vsnd` on the node, `eth0` in
 * the sender), addressed `<prefix24>.1` and `<prefix24>.2`. UDP from port 53 is dropped in the
 * node's INPUT: the generated responses reach the capture point but no socket, and the node
 * answers them with nothing (no ICMP back to the sender). IPv6 is off in both: the traffic is
 * IPv4, and the MLD reports a link sends when it comes up (which the capture filter lets through)
 * would otherwise arrive at random moments among the counted packets.
 */
export async function addNodeWithSender(topology: Topology, prefix24: string, options: { offload?: boolean } = {}): Promise<{ node: string; sender: string }> {
  const node = `${prefix24}.1`;
  const sender = `${prefix24}.2`;
  for (const name of ['node', 'snd']) {
    await topology.addNamespace(name);
    await topology.exec(name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
  }
  await topology.exec('node', 'ip', 'link', 'add', 'vsnd', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', topology.ns('snd'));
  await topology.exec('node', 'ip', 'addr', 'add', `${node}/24`, 'dev', 'vsnd');
  await topology.exec('node', 'ip', 'link', 'set', 'vsnd', 'up');
  if (options.offload === false) await topology.exec('node', 'ethtool', '-K', 'vsnd', 'tso', 'off', 'gso', 'off', 'gro', 'off');
  await topology.exec('snd', 'ip', 'addr', 'add', `${sender}/24`, 'dev', 'eth0');
  await topology.exec('snd', 'ip', 'link', 'set', 'eth0', 'up');
  await topology.exec('node', 'iptables', '-A', 'INPUT', '-p', 'udp', '--sport', '53', '-j', 'DROP');
  return { node, sender };
}
