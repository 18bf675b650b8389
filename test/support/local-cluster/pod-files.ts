import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { clusterCgroup } from './cluster-cgroup.js';
import { clusterResolvConf, type ClusterNetwork } from './host-network.js';
import type { PodFiles } from './image-container.js';
import type { PodRun } from './node-agent-pod.js';
import { podRuntimeDir } from './pod-runtime-dirs.js';
import { mountsServiceAccountToken, projectServiceAccountToken } from './service-account-token.js';

/**
 * What a kubelet writes for a pod before its containers start: resolv.conf (the cluster DNS,
 * or the node's for hostNetwork pods unless dnsPolicy is ClusterFirstWithHostNet), hosts, and
 * the ServiceAccount token unless automounting is off. Returns the files and when to refresh the token.
 */
export async function writePodFiles(core: CoreV1Api, pod: V1Pod, run: PodRun, network: ClusterNetwork, caPem: string): Promise<{ files: PodFiles; tokenRefreshAt?: number }> {
  const dir = podRuntimeDir(network.prefix, run.uid);
  mkdirSync(dir, { recursive: true });
  const resolvConf = join(dir, 'resolv.conf');
  const hosts = join(dir, 'hosts');
  if (run.netns || pod.spec?.dnsPolicy === 'ClusterFirstWithHostNet') writeFileSync(resolvConf, clusterResolvConf(network.gateway4, run.namespace));
  else copyFileSync('/etc/resolv.conf', resolvConf);
  if (run.netns) {
    const hostname = pod.spec?.hostname ?? run.name;
    writeFileSync(hosts, ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', ...run.ips.map((ip) => `${ip}\t${hostname}`), ''].join('\n'));
  } else {
    copyFileSync('/etc/hosts', hosts);
  }
  const cgroup = clusterCgroup(network.prefix);
  const cgroupProcs = cgroup && existsSync(cgroup.dir) ? join(cgroup.dir, 'cgroup.procs') : undefined;
  if (!(await mountsServiceAccountToken(core, pod))) return { files: { dir, resolvConf, hosts, cgroupProcs } };
  const serviceAccountDir = join(dir, 'serviceaccount');
  const tokenRefreshAt = await projectServiceAccountToken(core, pod, serviceAccountDir, caPem);
  return { files: { dir, resolvConf, hosts, cgroupProcs, serviceAccountDir }, tokenRefreshAt };
}
