import { parseAllDocuments, stringify } from 'yaml';

interface Workload {
  kind?: string;
  spec?: { template?: { spec?: { containers?: { name?: string }[] } } };
}

/**
 * A Helm post-render step: the rendered manifests without the container `name` in any pod
 * template. Otterize's chart runs a kube-rbac-proxy sidecar beside each manager that only fronts
 * its metrics over HTTPS; its image cannot be had on this kind of machine (no registry, not on the
 * Go module proxy), and without it no pod of the chart would be Ready.
 */
export function removeContainer(manifests: string, name: string): string {
  const documents = parseAllDocuments(manifests).map((document) => document.toJS() as Workload | null).filter((object) => object !== null);
  for (const object of documents) {
    const pod = object.spec?.template?.spec;
    if (pod?.containers) pod.containers = pod.containers.filter((container) => container.name !== name);
  }
  return documents.map((object) => `---\n${stringify(object)}`).join('');
}
