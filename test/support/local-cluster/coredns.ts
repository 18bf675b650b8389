import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import dnsPacket from 'dns-packet';
import { cachedTool } from '../cached-tool.js';
import type { ControlPlane } from '../control-plane.js';
import { writeServiceAccountKubeconfig } from '../service-account-kubeconfig.js';
// A cycle (local-cluster.ts starts CoreDNS), harmless: applyManifests is only called at run time.
import { applyManifests } from './local-cluster.js';

export const dnsNamespace = 'kube-system';
const serviceAccount = 'coredns';
const readyTimeoutMs = 60_000;

/** CoreDNS built by scripts/setup.sh (test/tools/coredns, cached by source hash). */
export function corednsBinary(): string {
  return cachedTool('coredns', 'NETMAP_COREDNS_BIN', 'CoreDNS');
}

/**
 * The Corefile of a kubeadm cluster, trimmed to what the local cluster has: the kubernetes
 * plugin with verified pod records (autopath needs them to know a client's namespace), autopath,
 * the upstream resolver of the local internet, a cache. Until the node agent projects
 * ServiceAccount tokens, the kubernetes plugin reads the API server through a kubeconfig file for
 * the coredns ServiceAccount; with projected tokens it moves to the in-cluster config.
 */
export function corefile(options: { clusterDomain: string; kubeconfig: string; upstream: string }): string {
  return `.:53 {
    errors
    log
    kubernetes ${options.clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${options.kubeconfig}
        pods verified
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    autopath @kubernetes
    forward . ${options.upstream}:53
    cache 5
}
`;
}

/** As CoreDNS's own deployment manifests grant it: reads only. */
function manifests(clusterIP: string, binary: string, corefilePath: string): string {
  return `
apiVersion: v1
kind: ServiceAccount
metadata: { name: ${serviceAccount}, namespace: ${dnsNamespace} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "system:coredns" }
rules:
  - { apiGroups: [""], resources: [services, pods, namespaces], verbs: [list, watch] }
  - { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "system:coredns" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns" }
subjects: [{ kind: ServiceAccount, name: ${serviceAccount}, namespace: ${dnsNamespace} }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: coredns, namespace: ${dnsNamespace}, labels: { k8s-app: kube-dns } }
spec:
  replicas: 1
  selector: { matchLabels: { k8s-app: kube-dns } }
  template:
    metadata: { labels: { k8s-app: kube-dns } }
    spec:
      serviceAccountName: ${serviceAccount}
      containers:
        - name: coredns
          image: local/coredns
          command: ["${binary}", "-conf", "${corefilePath}"]
          ports:
            - { name: dns, containerPort: 53, protocol: UDP }
            - { name: dns-tcp, containerPort: 53, protocol: TCP }
---
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: ${dnsNamespace}, labels: { k8s-app: kube-dns } }
spec:
  clusterIP: ${clusterIP}
  selector: { k8s-app: kube-dns }
  ports:
    - { name: dns, port: 53, targetPort: 53, protocol: UDP }
    - { name: dns-tcp, port: 53, targetPort: 53, protocol: TCP }
`;
}

async function answersKubernetesName(ip: string, clusterDomain: string): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 500);
      socket.once('message', (message) => {
        clearTimeout(timer);
        resolve((dnsPacket.decode(message).answers ?? []).some((a) => a.type === 'A'));
      });
      socket.once('error', () => resolve(false));
      socket.send(dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: `kubernetes.default.svc.${clusterDomain}` }] }), 53, ip);
    });
  } finally {
    socket.close();
  }
}

/**
 * Cluster DNS as every real cluster runs it: Deployment kube-system/coredns behind Service
 * kube-dns on a fixed ClusterIP. Resolves once CoreDNS answers the API server's name (asked
 * from the host, straight to the pod).
 */
export async function startCoreDns(controlPlane: ControlPlane, options: { stateDir: string; clusterIP: string; upstream: string; clusterDomain: string }): Promise<void> {
  const admin = controlPlane.admin();
  const core = admin.makeApiClient(CoreV1Api);
  const kubernetes = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
  const corefilePath = join(options.stateDir, 'Corefile');
  const kubeconfig = join(options.stateDir, 'coredns.kubeconfig');
  // Files first, so the pod's first start finds them. The token lasts an hour (the control
  // plane's TokenRequest); a projected token would be refreshed by the node agent.
  const token = await controlPlane.serviceAccount(dnsNamespace, serviceAccount);
  writeServiceAccountKubeconfig(token, kubeconfig, dnsNamespace, `https://${kubernetes.spec?.clusterIP}:${kubernetes.spec?.ports?.[0]?.port ?? 443}`);
  writeFileSync(corefilePath, corefile({ clusterDomain: options.clusterDomain, kubeconfig, upstream: options.upstream }));
  await applyManifests(admin, manifests(options.clusterIP, corednsBinary(), corefilePath));
  await waitForAnswers(admin, options.clusterDomain);
}

async function waitForAnswers(admin: KubeConfig, clusterDomain: string): Promise<void> {
  const discovery = admin.makeApiClient(DiscoveryV1Api);
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: dnsNamespace, labelSelector: 'kubernetes.io/service-name=kube-dns' });
    const ips = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses));
    for (const ip of ips) if (await answersKubernetesName(ip, clusterDomain)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`CoreDNS did not answer within ${readyTimeoutMs} ms (its log: logs/${dnsNamespace}_coredns-*_coredns.log)`);
}
