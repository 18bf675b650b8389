import { stringify } from 'yaml';
import type { ExportedObject, ExportFormat } from './export-objects.js';

/** YAML: apiVersion, kind, metadata, spec; one document per object, separated by `---`. */
export function yamlDocument(object: ExportedObject): string {
  const { apiVersion, kind, metadata, spec } = object;
  return stringify({ apiVersion, kind, metadata, spec }, { lineWidth: 0 });
}

export function renderYaml(objects: readonly ExportedObject[]): string {
  return objects.map(yamlDocument).join('---\n');
}

/**
 * JSON as the reference mapper prints it: kind first, a null creationTimestamp and an empty
 * status, because that is what its users' tooling has been reading.
 */
export function jsonObject(object: ExportedObject): Record<string, unknown> {
  return {
    kind: object.kind,
    apiVersion: object.apiVersion,
    metadata: { ...object.metadata, creationTimestamp: null },
    spec: object.spec,
    status: { upToDate: false, observedGeneration: 0 },
  };
}

export function renderJson(objects: readonly ExportedObject[]): string {
  return `${JSON.stringify(objects.map(jsonObject), null, 2)}\n`;
}

export function renderExport(objects: readonly ExportedObject[], format: ExportFormat): string {
  return format === 'yaml' ? renderYaml(objects) : renderJson(objects);
}
