import { stringify } from 'yaml';
import { jsonObject, yamlDocument } from './export-format.js';
import type { ExportedObject, ExportFormat } from './export-objects.js';
import { compare } from './selection.js';

/** File name -> content of a directory export: one file per ClientIntents plus kustomization.yaml. */
export function directoryLayout(objects: readonly ExportedObject[], format: ExportFormat): Map<string, string> {
  const names = fileNames(objects, format);
  const files = new Map<string, string>();
  objects.forEach((object, i) => {
    files.set(names[i]!, format === 'yaml' ? yamlDocument(object) : `${JSON.stringify(jsonObject(object), null, 2)}\n`);
  });
  const resources = [...files.keys()].sort(compare);
  files.set(
    kustomizationFile,
    stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }, { lineWidth: 0 }),
  );
  return files;
}

export const kustomizationFile = 'kustomization.yaml';

/**
 * `<workload>.<namespace>.<ext>`; two objects for one workload (possible with --all, e.g. for
 * two kinds) would collide, so those carry their object name as well.
 */
function fileNames(objects: readonly ExportedObject[], format: ExportFormat): string[] {
  const base = objects.map((o) => `${o.workload}.${o.namespace}`);
  const counts = new Map<string, number>();
  for (const name of base) counts.set(name, (counts.get(name) ?? 0) + 1);
  return objects.map((o, i) => {
    const plain = base[i]!;
    const name = counts.get(plain)! > 1 ? `${plain}.${String(o.metadata.name)}` : plain;
    return `${safeFileName(name)}.${format}`;
  });
}

/** Object names cannot hold '/', but a workload-name annotation could: never write outside the directory. */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned.startsWith('.') ? `_${cleaned}` : cleaned;
}
