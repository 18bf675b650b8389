import { createSocket } from 'node:dgram';
import { DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import dnsPacket from 'dns-packet';
// A cycle (local-cluster.ts starts CoreDNS), harmless: applyManifests is only called at run time.
import { applyManifests } from './local-cluster.js';
import { corednsImageRepository, imageFrom, type ImageSource } from './node/node-images.js';

export const dnsNamespace = 'kube-system';
const serviceAccount = 'coredns';
const readyTimeoutMs = 60_000;

/**
 * The Corefile of a kubeadm cluster, trimmed to what the local cluster has: the kubernetes
 * plugin (in-cluster, with the pod's projected token) with verified pod records (autopath needs
 * them to know a client's namespace), autopath, the node's upstream resolver (the local
 * internet's), a cache.
 */
export function corefile(options: { clusterDomain: string }): string {
  return `.:53 {
    errors
    log
    health :8080
    ready :8181
    kubernetes ${options.clusterDomain} in-addr.arpa ip6.arpa {
        pods verified
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    autopath @kubernetes
    forward . /etc/resolv.conf
    cache 5
}
`;
}

const indent = (text: string, spaces: number): string => text.split('\n').map((line) => (line ? ' '.repeat(spaces) + line : line)).join('\n');

/** As CoreDNS's own deployment manifests have it (reads only; dnsPolicy Default: the node's resolver is its upstream). */
function manifests(clusterIP: string, image: string, clusterDomain: string): string {
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
apiVersion: v1
kind: ConfigMap
metadata: { name: coredns, namespace: ${dnsNamespace} }
data:
  Corefile: |
${indent(corefile({ clusterDomain }), 4)}
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
      dnsPolicy: Default
      containers:
        - name: coredns
          image: ${image}
          args: ["-conf", "/etc/coredns/Corefile"]
          ports:
            - { name: dns, containerPort: 53, protocol: UDP }
            - { name: dns-tcp, containerPort: 53, protocol: TCP }
          securityContext:
            capabilities: { add: [NET_BIND_SERVICE], drop: [ALL] }
          livenessProbe: { httpGet: { path: /health, port: 8080 }, periodSeconds: 10 }
          readinessProbe: { httpGet: { path: /ready, port: 8181 }, periodSeconds: 2 }
          volumeMounts: [{ name: config, mountPath: /etc/coredns, readOnly: true }]
      volumes: [{ name: config, configMap: { name: coredns } }]
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
 * Cluster DNS as every real cluster runs it: Deployment kube-system/coredns (its image from
 * scripts/node-images.sh) behind Service kube-dns on a fixed ClusterIP. Resolves once CoreDNS
 * answers the API server's name (asked from the host, straight to the pod).
 */
export async function startCoreDns(admin: KubeConfig, options: { clusterIP: string; clusterDomain: string; images: ReadonlyMap<string, ImageSource> }): Promise<void> {
  const image = imageFrom(options.images, corednsImageRepository);
  await applyManifests(admin, manifests(options.clusterIP, image, options.clusterDomain));
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
  throw new Error(`CoreDNS did not answer within ${readyTimeoutMs} ms (kubectl logs -n ${dnsNamespace} deploy/coredns)`);
}
