import type { Topology } from './topology.js';

/** The ClusterIP and port that the node's PREROUTING DNAT sends to srv:8080, as kube-proxy would. */
const clusterIp = '10.96.0.50';

/**
 * The pod network the sniffer tests share: a "node" namespace with two bridges, a client and a
 * DNS server on br0, a server on br1, forwarding on, and the IPv4 ClusterIP translated in
 * PREROUTING so that a SYN leaves the client with the ClusterIP and is rewritten only after the
 * capture point.
 */
export async function buildPodNetwork(topology: Topology): Promise<void> {
  await topology.addNamespace('node');
  await topology.addBridge('node', 'br0', ['10.244.1.1/24', 'fd00:244:1::1/64']);
  await topology.addBridge('node', 'br1', ['10.244.2.1/24', 'fd00:244:2::1/64']);
  await topology.addPod('cli', 'node', 'br0', ['10.244.1.10/24', 'fd00:244:1::10/64'], ['10.244.1.1', 'fd00:244:1::1']);
  await topology.addPod('dns', 'node', 'br0', ['10.244.1.53/24', 'fd00:244:1::53/64'], ['10.244.1.1', 'fd00:244:1::1']);
  await topology.addPod('srv', 'node', 'br1', ['10.244.2.20/24', 'fd00:244:2::20/64'], ['10.244.2.1', 'fd00:244:2::1']);
  await topology.exec('node', 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
  await topology.exec('node', 'iptables', '-t', 'nat', '-A', 'PREROUTING', '-d', clusterIp, '-p', 'tcp', '--dport', '80',
    '-j', 'DNAT', '--to-destination', '10.244.2.20:8080');
}
