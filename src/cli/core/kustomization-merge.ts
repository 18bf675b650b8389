import { parse, stringify } from 'yaml';
import { compare } from './selection.js';

/**
 * A directory's kustomization.yaml with `files` added to its resources: what it listed stays
 * (an export of only some objects must not drop the others from what the engine applies, which
 * would prune them). `existing` undefined: a new one. A file that is not a Kustomization is an error.
 */
export function mergedKustomization(existing: string | undefined, files: readonly string[]): string {
  const document = existing === undefined ? { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [] } : (parse(existing) as unknown);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('kustomization.yaml is not a YAML mapping');
  const kustomization = document as Record<string, unknown>;
  const resources = kustomization.resources ?? [];
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) throw new Error('kustomization.yaml has a resources field that is not a list of paths');
  const merged = [...new Set([...resources, ...files])].sort(compare);
  return stringify({ ...kustomization, resources: merged }, { lineWidth: 0 });
}
