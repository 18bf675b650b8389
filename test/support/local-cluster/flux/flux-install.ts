import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, KubernetesObjectApi, RbacAuthorizationV1Api, loadAllYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { importImages, type ImageSource } from '../node/node-images.js';
import { applyManifests } from '../local-cluster.js';
import { waitFor } from '../../wait-for.js';

export const fluxNamespace = 'flux-system';

/** The set-up's Flux images and CRDs (scripts/flux-images.sh, linked as .cache/flux-images). */
export function fluxImages(repoRoot: string): { images: Map<string, ImageSource>; crdDir: string } {
  const dir = join(repoRoot, '.cache', 'flux-images');
  if (!existsSync(join(dir, 'complete'))) throw new Error('no Flux images in .cache/flux-images: run scripts/setup.sh flux');
  const image = (name: string): [string, ImageSource] => {
    const layout = join(dir, name);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
    const tag = index.manifests[0]?.annotations?.['org.opencontainers.image.ref.name'] ?? '';
    return [`localhost/netmap/flux-${name}:${tag}`, { layout, tag }];
  };
  return { images: new Map([image('source-controller'), image('kustomize-controller')]), crdDir: join(dir, 'crds') };
}

/**
 * Flux's two controllers as their own install runs them (docs/gitops.md): Deployments in
 * flux-system from the images built here, one replica without leader election, the artifact
 * server of source-controller behind its Service (kustomize-controller downloads from it), and
 * a ClusterRoleBinding to cluster-admin for both, as Flux's install gives kustomize-controller.
 */
function fluxManifests(source: string, kustomize: string): string {
  const controller = (name: string, image: string, args: string[], ports: string): string => `
apiVersion: v1
kind: ServiceAccount
metadata: { name: ${name}, namespace: ${fluxNamespace} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: flux-${name} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: ServiceAccount, name: ${name}, namespace: ${fluxNamespace} }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${fluxNamespace} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      serviceAccountName: ${name}
      containers:
        - name: manager
          image: ${image}
          args: [${args.map((a) => `"${a}"`).join(', ')}]
          env:
            - { name: RUNTIME_NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
          ports: [${ports}]
          readinessProbe: { httpGet: { path: /readyz, port: 9440 }, periodSeconds: 2 }
          volumeMounts: [{ name: tmp, mountPath: /tmp }, { name: data, mountPath: /data }]
      volumes: [{ name: tmp, emptyDir: {} }, { name: data, emptyDir: {} }]
---`;
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${fluxNamespace} }\n---`,
    controller('source-controller', source, ['--enable-leader-election=false', '--watch-all-namespaces=true', '--log-level=info', '--storage-path=/data', `--storage-adv-addr=source-controller.${fluxNamespace}.svc.cluster.local.`, '--events-addr='], '{ name: http, containerPort: 9090 }, { name: healthz, containerPort: 9440 }'),
    controller('kustomize-controller', kustomize, ['--enable-leader-election=false', '--watch-all-namespaces=true', '--log-level=info', '--events-addr='], '{ name: healthz, containerPort: 9440 }'),
    `apiVersion: v1
kind: Service
metadata: { name: source-controller, namespace: ${fluxNamespace} }
spec:
  selector: { app: source-controller }
  ports: [{ name: http, port: 80, targetPort: 9090 }]
---`,
  ].join('\n');
}

/** Imports the images into the node's containerd, applies the CRDs and the controllers, and waits for both to be Ready. */
export async function installFlux(admin: KubeConfig, repoRoot: string, containerdSocket: string, timeoutMs = 120_000): Promise<void> {
  const { images, crdDir } = fluxImages(repoRoot);
  await importImages(containerdSocket, images);
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const crd of loadAllYaml(readFileSync(join(crdDir, file), 'utf8')) as KubernetesObject[]) {
      try {
        await api.create(crd);
      } catch (error) {
        if ((error as { code?: number }).code !== 409) throw error;
      }
    }
  }
  const [source, kustomize] = [...images.keys()];
  await applyManifests(admin, fluxManifests(source!, kustomize!));
  const apps = admin.makeApiClient(AppsV1Api);
  for (const name of ['source-controller', 'kustomize-controller']) {
    await waitFor(`Flux ${name} Ready`, async () => ((await apps.readNamespacedDeployment({ name, namespace: fluxNamespace })).status?.readyReplicas === 1 ? true : undefined), timeoutMs);
  }
}

/** The cluster-scoped objects installFlux makes besides its CRDs. */
const fluxClusterRoleBindings = ['flux-source-controller', 'flux-kustomize-controller'];

const ignoreNotFound = (error: unknown): void => {
  if ((error as { code?: number }).code !== 404) throw error;
};

/**
 * Removes what installFlux made: its namespace (the controllers, their Service and
 * ServiceAccounts), the ClusterRoleBindings and the CRDs, and waits until the namespace is gone.
 * Delete Flux's own objects (GitRepository, Kustomization) first, while the controllers run to
 * take their finalizers off.
 */
export async function uninstallFlux(admin: KubeConfig, repoRoot: string, timeoutMs = 120_000): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.deleteNamespace({ name: fluxNamespace }).catch(ignoreNotFound);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  for (const name of fluxClusterRoleBindings) await rbac.deleteClusterRoleBinding({ name }).catch(ignoreNotFound);
  await waitFor(`namespace ${fluxNamespace} gone`, async () => {
    try {
      await core.readNamespace({ name: fluxNamespace });
      return undefined;
    } catch (error) {
      return (error as { code?: number }).code === 404 ? true : undefined;
    }
  }, timeoutMs);
  const extensions = admin.makeApiClient(ApiextensionsV1Api);
  const { crdDir } = fluxImages(repoRoot);
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml'))) {
    for (const crd of loadAllYaml(readFileSync(join(crdDir, file), 'utf8')) as KubernetesObject[]) {
      await extensions.deleteCustomResourceDefinition({ name: crd.metadata!.name! }).catch(ignoreNotFound);
    }
  }
}
