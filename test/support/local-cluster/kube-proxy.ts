import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import { componentLogger } from '../component-process.js';
import { sh } from '../netns/topology.js';
import { clusterCgroup } from './cluster-cgroup.js';
import type { ClusterNetwork } from './host-network.js';
import { renderRules, type ServiceForward } from './kube-proxy-rules.js';
import { startSyncLoop, type SyncLoop } from './sync-loop.js';

const log = componentLogger('local-kube-proxy');

/** Every Service port on every ClusterIP with the ready endpoints of its EndpointSlices. */
export function serviceForwards(services: readonly V1Service[], slices: readonly V1EndpointSlice[]): ServiceForward[] {
  const forwards: ServiceForward[] = [];
  for (const service of services) {
    const ips = (service.spec?.clusterIPs ?? [service.spec?.clusterIP]).filter((ip): ip is string => !!ip && ip !== 'None');
    const own = slices.filter((s) => s.metadata?.namespace === service.metadata?.namespace
      && s.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata?.name);
    for (const port of service.spec?.ports ?? []) {
      const protocol = port.protocol === 'UDP' ? 'UDP' : 'TCP';
      const endpoints = own.flatMap((slice) => {
        const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === protocol);
        if (slicePort?.port === undefined) return [];
        return (slice.endpoints ?? [])
          .filter((e) => e.conditions?.ready !== false)
          .flatMap((e) => e.addresses.map((ip) => ({ ip, port: slicePort.port! })));
      });
      for (const clusterIP of ips) forwards.push({ clusterIP, port: port.port, protocol, endpoints });
    }
  }
  return forwards;
}

/**
 * ClusterIP forwarding as kube-proxy's nftables mode does it, in the host namespace: the sniffer
 * sees a pod's SYN to the ClusterIP on the pod's veth before prerouting rewrites it.
 */
export function startKubeProxy(kc: KubeConfig, network: ClusterNetwork, apiServerPort: number): SyncLoop {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const dir = mkdtempSync(join(tmpdir(), `netmap-${network.prefix}-nft-`));
  let applied = '';
  const cgroup = clusterCgroup(network.prefix);
  if (!cgroup) log.warn('no cgroup2 below /sys/fs/cgroup: hostNetwork pods cannot reach ClusterIPs', { table: network.nftTable });
  const loop = startSyncLoop('kube-proxy', 300, log, async () => {
    const [services, slices] = await Promise.all([
      core.listServiceForAllNamespaces(),
      discovery.listEndpointSliceForAllNamespaces(),
    ]);
    const rules = renderRules({
      table: network.nftTable,
      bridge: network.bridge,
      podCidr4: network.podCidr4,
      podCidr6: network.podCidr6,
      allowedOutputs: [network.bridge, network.internet.hostVeth],
      apiServerPort,
      hostCgroup: cgroup ? { path: cgroup.nftPath, level: cgroup.level } : undefined,
      forwards: serviceForwards(services.items, slices.items),
    });
    if (rules === applied) return;
    const file = join(dir, 'rules.nft');
    writeFileSync(file, rules);
    await sh('nft', '-f', file);
    applied = rules;
    log.info('nft rules applied', { table: network.nftTable, rules: rules.split('\n').filter((l) => /dnat|reject/.test(l)).length });
  });
  return {
    kick: loop.kick,
    stop: async () => {
      await loop.stop();
      rmSync(dir, { recursive: true, force: true });
      await sh('nft', 'delete', 'table', 'inet', network.nftTable).catch(() => undefined);
    },
  };
}
