import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { describePod } from './network-mapper-release.js';
import { waitFor } from '../wait-for.js';
// A cycle (local-cluster.ts starts the enforcer), harmless: applyManifests is only called at run time.
import { applyManifests } from './local-cluster.js';

export const enforcerNamespace = 'kube-system';
const name = 'kube-router';

/**
 * The local cluster's NetworkPolicy enforcer: kube-router's network policy controller, as its
 * DaemonSet (hostNetwork, privileged: it writes the node's iptables chains and ipsets), with
 * only the firewall on. kube-router v2.1.0 is the one version the Go module proxy serves and has
 * reported security flaws; the local cluster runs neither its BGP router nor its service proxy
 * (kube-proxy does that), only the policy firewall, on a throw-away node in its own network
 * namespace with no route off the machine. Its chains and ipsets live in the node's namespace and
 * go with it (its --cleanup-config removes nothing in v2.1.0).
 */
function manifests(image: string): string {
  return `
apiVersion: v1
kind: ServiceAccount
metadata: { name: ${name}, namespace: ${enforcerNamespace} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: ${name} }
rules:
  - { apiGroups: [""], resources: [namespaces, pods, services, nodes, endpoints], verbs: [get, list, watch] }
  - { apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [list, get, watch] }
  - { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ${name} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name} }
subjects: [{ kind: ServiceAccount, name: ${name}, namespace: ${enforcerNamespace} }]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: ${enforcerNamespace}, labels: { k8s-app: ${name} } }
spec:
  selector: { matchLabels: { k8s-app: ${name} } }
  template:
    metadata: { labels: { k8s-app: ${name} } }
    spec:
      serviceAccountName: ${name}
      hostNetwork: true
      priorityClassName: system-node-critical
      tolerations: [{ operator: Exists }]
      containers:
        - name: kube-router
          image: ${image}
          args: ["--run-firewall=true", "--run-router=false", "--run-service-proxy=false", "--hostname-override=$(NODE_NAME)", "--health-port=20244", "--metrics-port=0"]
          env: [{ name: NODE_NAME, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }]
          securityContext: { privileged: true }
          # iptables' nf_tables backend takes no xtables lock, and this kernel has the modules built in: no host mounts.
          livenessProbe: { httpGet: { host: 127.0.0.1, path: /healthz, port: 20244 }, initialDelaySeconds: 10, periodSeconds: 5 }
          readinessProbe: { httpGet: { host: 127.0.0.1, path: /healthz, port: 20244 }, periodSeconds: 2 }
`;
}

/** Applies the DaemonSet and waits until its pod is Ready (its policy controller has synced once). */
export async function startNetworkPolicyEnforcer(admin: KubeConfig, image: string, timeoutMs = 60_000): Promise<void> {
  await applyManifests(admin, manifests(image));
  const apps = admin.makeApiClient(AppsV1Api);
  try {
    await waitFor('kube-router\'s firewall DaemonSet pod Ready', async () => {
      const ds = await apps.readNamespacedDaemonSet({ name, namespace: enforcerNamespace });
      return (ds.status?.numberReady ?? 0) >= 1 && (ds.status?.desiredNumberScheduled ?? 0) >= 1;
    }, timeoutMs);
  } catch (error) {
    const core = admin.makeApiClient(CoreV1Api);
    const [pod] = (await core.listNamespacedPod({ namespace: enforcerNamespace, labelSelector: `k8s-app=${name}` })).items;
    const log = pod ? await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: enforcerNamespace, tailLines: 10 }).catch(() => '') : '';
    throw new Error(`${(error as Error).message}: ${pod ? describePod(pod) : 'no pod'}\n${log}`, { cause: error });
  }
}
