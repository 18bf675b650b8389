import { AppsV1Api, CoreV1Api, DiscoveryV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { SyntheticWorkload } from './synthetic-cluster.js';

/** Runs `work` on every item, at most `concurrency` at a time. */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/**
 * The synthetic cluster's objects in a real API server (no controllers run there): per workload
 * a Deployment, its ReplicaSet, a Service with its ClusterIP, an EndpointSlice and Running pods
 * with their IPs, owned as a controller would own them. `nodeOf` places each pod on a node.
 */
export async function createSyntheticObjects(admin: KubeConfig, workloads: readonly SyntheticWorkload[], concurrency: number, nodeOf: (w: SyntheticWorkload, pod: number) => string = () => 'node-0'): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  const apps = admin.makeApiClient(AppsV1Api);
  const discovery = admin.makeApiClient(DiscoveryV1Api);
  const container = [{ name: 'main', image: 'example.invalid/app:1' }];
  await pool(workloads, concurrency, async (w) => {
    const labels = { app: w.name };
    const template = { metadata: { labels }, spec: { containers: container } };
    const d = await apps.createNamespacedDeployment({ namespace: w.namespace, body: { metadata: { name: w.name }, spec: { selector: { matchLabels: labels }, template } } });
    const rs = await apps.createNamespacedReplicaSet({
      namespace: w.namespace,
      body: { metadata: { name: `${w.name}-rs`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: w.name, uid: d.metadata!.uid!, controller: true }] }, spec: { selector: { matchLabels: labels }, template } },
    });
    await core.createNamespacedService({ namespace: w.namespace, body: { metadata: { name: w.name }, spec: { clusterIP: w.serviceIp, ports: [{ port: 8080 }] } } });
    await discovery.createNamespacedEndpointSlice({
      namespace: w.namespace,
      body: {
        metadata: { name: `${w.name}-x`, labels: { 'kubernetes.io/service-name': w.name } },
        addressType: 'IPv4',
        endpoints: w.podIps.map((ip, p) => ({ addresses: [ip], targetRef: { kind: 'Pod', name: `${w.name}-rs-${p}`, namespace: w.namespace } })),
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    });
    await Promise.all(w.podIps.map(async (ip, p) => {
      const name = `${w.name}-rs-${p}`;
      await core.createNamespacedPod({ namespace: w.namespace, body: { metadata: { name, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata!.name!, uid: rs.metadata!.uid!, controller: true }] }, spec: { containers: container, nodeName: nodeOf(w, p) } } });
      await core.patchNamespacedPodStatus({ namespace: w.namespace, name, body: { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    }));
  });
}
