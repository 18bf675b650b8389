import { join } from 'node:path';

/**
 * Where one local cluster's node keeps its state, and the addresses of its network. The node runs
 * in a network namespace of its own (`<prefix>-node`), as a real node is a machine of its own: its
 * kube-proxy's nft tables, its NetworkPolicy enforcer's iptables chains, its sysctls (forwarding,
 * br_netfilter) and its ports (10250) are its own, and go with the namespace. The API server, the
 * scheduler and the controllers run on the host, like a control plane machine, reached through a
 * veth pair.
 */
export interface NodeLayout {
  readonly prefix: string;
  readonly nodeName: string;
  /** The node's network namespace; every node component and hostNetwork pod runs in it. */
  readonly netns: string;
  /** The node's InternalIP, on its bridge (the pods' gateway is .1). */
  readonly nodeIP: string;
  readonly podCidr4: string;
  readonly podCidr6: string;
  readonly gateway4: string;
  readonly gateway6: string;
  readonly bridge: string;
  /** The kube-dns Service's fixed ClusterIP. */
  readonly dnsServiceIP: string;
  readonly serviceCidr: string;
  /** The control plane's side of the host link (the API server's advertised address) and the node's. */
  readonly hostLink: { readonly hostVeth: string; readonly nodeVeth: string; readonly hostIP: string; readonly nodeSideIP: string };
  /** The local internet, one more namespace behind the node (its uplink). */
  readonly internet: { readonly netns: string; readonly nodeVeth: string; readonly nodeSideIP: string; readonly ip: string };
  /** Runtime state on tmpfs (sockets, containerd state, pods' network namespaces). */
  readonly runDir: string;
  /** Kept between runs (containerd's content store and snapshots: the images are imported once). */
  readonly cacheDir: string;
  /** The kubelet's root dir and the pods' logs (removed on stop). */
  readonly stateDir: string;
  readonly containerdSocket: string;
  /** The kubelet's cgroup root: the pods' `kubepods` cgroups go below it in every hierarchy. */
  readonly cgroupRoot: string;
}

export function nodeLayout(prefix: string, octet: number, clusterStateDir: string): NodeLayout {
  if (!/^[a-z][a-z0-9]{1,5}$/.test(prefix)) throw new Error(`prefix must be 2-6 lowercase letters/digits, not ${prefix}`);
  const runDir = join('/run/netmap-local-cluster', prefix);
  return {
    prefix,
    nodeName: `${prefix}-node`,
    netns: `${prefix}-node`,
    nodeIP: `10.244.${octet}.2`,
    podCidr4: `10.244.${octet}.0/24`,
    podCidr6: `fd00:244:${octet}::/64`,
    gateway4: `10.244.${octet}.1`,
    gateway6: `fd00:244:${octet}::1`,
    bridge: `${prefix}br`,
    dnsServiceIP: '10.96.0.10',
    serviceCidr: '10.96.0.0/16',
    hostLink: { hostVeth: `${prefix}vh`, nodeVeth: `${prefix}vn`, hostIP: `10.246.${octet}.1`, nodeSideIP: `10.246.${octet}.2` },
    internet: { netns: `${prefix}-inet`, nodeVeth: `${prefix}vinet`, nodeSideIP: `10.245.${octet}.1`, ip: `10.245.${octet}.10` },
    runDir,
    cacheDir: join(clusterStateDir, 'node-cache'),
    stateDir: join(clusterStateDir, 'node'),
    containerdSocket: join(runDir, 'containerd.sock'),
    cgroupRoot: `/netmap-${prefix}`,
  };
}
