import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { runKubectl } from '../../support/helm.js';
import { rawRequest } from '../../support/raw-request.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

/** `Kind/namespace/name` of each object, sorted: what two sets of manifests are compared by. */
export function objectIds(objects: readonly Manifest[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
}

function kubectl(kubeconfig: string, args: readonly string[], objects: readonly Manifest[]): string {
  const result = runKubectl(['--kubeconfig', kubeconfig, ...args, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Creates or updates the objects for real (server-side apply) and waits for CRDs to be served. */
export function realApply(kubeconfig: string, objects: readonly Manifest[]): void {
  if (objects.length === 0) return;
  kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '--field-manager=chart-test'], objects);
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => `crd/${o.metadata.name}`);
  if (crds.length === 0) return;
  const wait = runKubectl(['--kubeconfig', kubeconfig, 'wait', '--for=condition=Established', '--timeout=30s', ...crds]);
  if (wait.status !== 0) throw new Error(`CRDs not established: ${wait.stderr}`);
}

/** client-node's discovery-backed resolution of an object's collection URL. */
class ResourcePaths extends KubernetesObjectApi {
  createPath(object: KubernetesObject): Promise<string> {
    return this.specUriPath(object, 'create');
  }
}

/**
 * Sends every object but CRDs and Namespaces (which are created for real first, with the
 * `namespaces` the objects go to) to the API server as a create with dryRun=All and
 * fieldValidation=Strict; throws with the server's message when one is refused. Returns the ids
 * of the objects the server answered with.
 */
export async function dryRunCreate(admin: KubeConfig, kubeconfig: string, objects: readonly Manifest[], namespaces: readonly string[]): Promise<string[]> {
  const created = (name: string): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const first = objects.filter((o) => o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace');
  realApply(kubeconfig, [...namespaces.map(created), ...first]);
  const paths = admin.makeApiClient(ResourcePaths);
  const answered: Manifest[] = [];
  for (const object of objects.filter((o) => !first.includes(o))) {
    const path = await paths.createPath(object);
    const { status, body } = await rawRequest(admin, 'POST', `${path}?dryRun=All&fieldValidation=Strict`, object);
    if (status !== 201) throw new Error(`${object.kind} ${object.metadata.name} refused (${status}): ${(JSON.parse(body) as { message?: string }).message ?? body}`);
    answered.push(JSON.parse(body) as Manifest);
  }
  return objectIds(answered);
}

const stands = {
  ServiceMonitor: { group: 'monitoring.coreos.com', version: 'v1', plural: 'servicemonitors', scope: 'Namespaced' },
  PrometheusRule: { group: 'monitoring.coreos.com', version: 'v1', plural: 'prometheusrules', scope: 'Namespaced' },
  SecurityContextConstraints: { group: 'security.openshift.io', version: 'v1', plural: 'securitycontextconstraints', scope: 'Cluster' },
} as const;

/**
 * Minimal CRDs for kinds of other projects whose real CRDs this machine does not have: the right
 * group, version, kind and scope, every field preserved unchecked.
 */
export function apiExtensionsFor(kinds: readonly (keyof typeof stands)[]): Manifest[] {
  return kinds.map((kind) => {
    const { group, version, plural, scope } = stands[kind];
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${group}` },
      spec: {
        group,
        scope,
        names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
        versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
  });
}
