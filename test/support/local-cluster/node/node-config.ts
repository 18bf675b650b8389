import { join } from 'node:path';
import { dumpYaml } from '@kubernetes/client-node';
import type { NodeLayout } from './node-layout.js';

/** The pause image the sandboxes run (scripts/node-images.sh). */
export const pauseImage = 'localhost/netmap/pause:3.10';
export const cniBinDir = '/usr/lib/cni';

/** The files the control plane wrote for the node (test/controlplane --node-name). */
export interface NodeCredentials {
  readonly caCert: string;
  readonly kubeletKubeconfig: string;
  readonly kubeletServingCert: string;
  readonly kubeletServingKey: string;
  readonly kubeProxyKubeconfig: string;
  readonly schedulerKubeconfig: string;
}

export function nodeCredentials(controlPlaneDataDir: string): NodeCredentials {
  const pki = join(controlPlaneDataDir, 'pki');
  return {
    caCert: join(pki, 'ca.crt'),
    kubeletKubeconfig: join(controlPlaneDataDir, 'kubelet.kubeconfig'),
    kubeletServingCert: join(pki, 'kubelet-serving.crt'),
    kubeletServingKey: join(pki, 'kubelet-serving.key'),
    kubeProxyKubeconfig: join(controlPlaneDataDir, 'kube-proxy.kubeconfig'),
    schedulerKubeconfig: join(controlPlaneDataDir, 'kube-scheduler.kubeconfig'),
  };
}

/**
 * containerd's config (version 2): everything under the node's own dirs, overlayfs only, the CRI
 * plugin with the local pause image and the CNI config of this node. `restrict_oom_score_adj`:
 * these machines' capability bounding set lacks CAP_SYS_RESOURCE, so runc cannot lower a
 * sandbox's oom_score_adj (every sandbox failed with "can't get final child's PID from pipe").
 */
export function containerdConfig(layout: NodeLayout): string {
  const state = join(layout.runDir, 'containerd');
  return `version = 2
root = ${JSON.stringify(join(layout.cacheDir, 'containerd'))}
state = ${JSON.stringify(state)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${JSON.stringify(layout.containerdSocket)}

[ttrpc]
  address = ${JSON.stringify(`${layout.containerdSocket}.ttrpc`)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${JSON.stringify(join(state, 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${JSON.stringify(pauseImage)}
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${JSON.stringify(join(state, 'runc'))}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${JSON.stringify(cniBinDir)}
    conf_dir = ${JSON.stringify(join(layout.runDir, 'cni', 'net.d'))}
`;
}

/**
 * The pod network: CNI's bridge plugin on the node's bridge (the gateway, hairpin on, no
 * masquerade: pods reach only the cluster and the local internet), host-local addresses
 * (handed out round robin, so a freed IP is reused only after the range has gone round), IPv4
 * and IPv6, then portmap (hostPort) and loopback.
 */
export function cniConfList(layout: NodeLayout): string {
  const [net4] = layout.podCidr4.split('/');
  const [net6] = layout.podCidr6.split('/');
  return `${JSON.stringify({
    cniVersion: '1.0.0',
    name: `${layout.prefix}-pods`,
    plugins: [
      {
        type: 'bridge',
        bridge: layout.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: join(layout.runDir, 'cni', 'ipam'),
          ranges: [
            [{ subnet: layout.podCidr4, rangeStart: net4!.replace(/\.0$/, '.10'), gateway: layout.gateway4 }],
            [{ subnet: layout.podCidr6, rangeStart: `${net6}10`, gateway: layout.gateway6 }],
          ],
          routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'loopback' },
    ],
  }, null, 2)}\n`;
}

/**
 * The kubelet's configuration: containerd's socket, cgroupfs below the node's own cgroup root,
 * webhook authentication and authorization (the API server calls it with a client certificate
 * from the cluster CA, for logs, exec and port-forward), a serving certificate from that CA, the
 * cluster DNS. Swap and cgroup v1 are allowed (these machines have both); image garbage collection
 * and disk eviction are off (the images cannot be pulled again).
 */
export function kubeletConfig(layout: NodeLayout, credentials: NodeCredentials): string {
  return dumpYaml({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: layout.cgroupRoot,
    failSwapOn: false,
    failCgroupV1: false,
    makeIPTablesUtilChains: false,
    address: layout.nodeIP,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    tlsCertFile: credentials.kubeletServingCert,
    tlsPrivateKeyFile: credentials.kubeletServingKey,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: credentials.caCert } },
    authorization: { mode: 'Webhook' },
    podLogsDir: join(layout.stateDir, 'pod-logs'),
    volumePluginDir: join(layout.stateDir, 'volume-plugins'),
    resolvConf: join(layout.stateDir, 'resolv.conf'),
    clusterDomain: 'cluster.local',
    clusterDNS: [layout.dnsServiceIP],
    registerNode: true,
    serializeImagePulls: false,
    imageGCHighThresholdPercent: 100,
    evictionHard: { 'memory.available': '0%', 'nodefs.available': '0%', 'imagefs.available': '0%' },
    // A pod's terminal status is reported after its containers have exited, as on any node.
    shutdownGracePeriod: '0s',
  });
}

/** The node's upstream resolver: the local internet's (pods with dnsPolicy Default get it; CoreDNS forwards to it). */
export function nodeResolvConf(layout: NodeLayout): string {
  return `nameserver ${layout.internet.ip}\n`;
}

/**
 * kube-proxy in nftables mode for this node's pods; it leaves the conntrack sysctls alone (they
 * are machine-wide, not the node's namespace's).
 */
export function kubeProxyConfig(layout: NodeLayout, credentials: NodeCredentials): string {
  return dumpYaml({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    clientConnection: { kubeconfig: credentials.kubeProxyKubeconfig },
    clusterCIDR: `${layout.podCidr4},${layout.podCidr6}`,
    hostnameOverride: layout.nodeName,
    metricsBindAddress: '127.0.0.1:10249',
    healthzBindAddress: '127.0.0.1:10256',
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}
