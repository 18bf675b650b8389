import { userAnnotations, userLabels, type IntentsObject, type RawTarget } from './intents-object.js';
import { compare } from './selection.js';
import { isGitOpsMark } from '../../shared/gitops.js';
import { viewTarget } from './target-view.js';

export const exportApiVersions = ['v2beta1', 'v1alpha3'] as const;
export type ExportApiVersion = (typeof exportApiVersions)[number];
/** The formats export-format.ts renders; named here so that parsing a command does not load the YAML writer. */
export const exportFormats = ['yaml', 'json'] as const;
export type ExportFormat = (typeof exportFormats)[number];

const group = 'k8s.otterize.com';

/** One exported ClientIntents with its keys in the reference order, free of bookkeeping. */
export interface ExportedObject {
  readonly apiVersion: string;
  readonly kind: 'ClientIntents';
  readonly metadata: Record<string, unknown>;
  readonly spec: Record<string, unknown>;
  /** Where a directory export puts it: the client workload and its namespace. */
  readonly workload: string;
  readonly namespace: string;
}

export interface ExportResult {
  readonly objects: ExportedObject[];
  /** Targets that the requested apiVersion cannot express (left out, and said so on stderr). */
  readonly warnings: string[];
}

/** Sorted by namespace, then object name, like the reference mapper's export. */
export function exportObjects(objects: readonly IntentsObject[], apiVersion: ExportApiVersion): ExportResult {
  const warnings: string[] = [];
  const exported = [...objects]
    .sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name))
    .map((object) => ({
      apiVersion: `${group}/${apiVersion}`,
      kind: 'ClientIntents' as const,
      metadata: exportedMetadata(object),
      spec: apiVersion === 'v2beta1' ? v2Spec(object) : v1Spec(object, warnings),
      workload: object.workload.name,
      namespace: object.namespace,
    }));
  return { objects: exported, warnings };
}

/** The engines' own marks stay out of git: the engine that applies the file writes its own. */
function exportedMetadata(object: IntentsObject): Record<string, unknown> {
  const labels = withoutGitOpsMarks(userLabels(object));
  const annotations = withoutGitOpsMarks(userAnnotations(object));
  return {
    name: object.name,
    namespace: object.namespace,
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

function withoutGitOpsMarks(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !isGitOpsMark(key)));
}

function v2Spec(object: IntentsObject): Record<string, unknown> {
  return { workload: { ...object.workload }, targets: object.targets.map(orderedTarget) };
}

/** The schema's field order for the target kinds network-mapper writes; anything else as stored. */
const fieldOrder: Record<string, readonly string[]> = {
  kubernetes: ['name', 'kind', 'http'],
  service: ['name', 'http'],
  internet: ['domains', 'ips', 'ports'],
  kafka: ['name', 'topics'],
};

function orderedTarget(target: RawTarget): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(target).map(([key, value]) => {
      const order = fieldOrder[key];
      if (!order || typeof value !== 'object' || value === null) return [key, value];
      const body = value as Record<string, unknown>;
      const known = order.filter((k) => body[k] !== undefined).map((k) => [k, k === 'http' ? orderedHttp(body[k]) : body[k]] as const);
      const rest = Object.entries(body).filter(([k]) => !order.includes(k));
      return [key, Object.fromEntries([...known, ...rest])];
    }),
  );
}

function orderedHttp(http: unknown): unknown {
  if (!Array.isArray(http)) return http;
  return http.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) return item;
    const { path, methods, ...rest } = item as Record<string, unknown>;
    return { ...(path !== undefined ? { path } : {}), ...(methods !== undefined ? { methods } : {}), ...rest };
  });
}

/** The deprecated v1 shape (spec.service + spec.calls[]), see clientintents.md "The v1 shape". */
function v1Spec(object: IntentsObject, warnings: string[]): Record<string, unknown> {
  const calls = object.targets.flatMap((target): Record<string, unknown>[] => {
    const view = viewTarget(target, object.namespace);
    switch (view.type) {
      case 'kubernetes': {
        const name = view.kind === 'Service' ? `svc:${view.name}.${view.namespace}` : rawName(target, 'kubernetes');
        const kind = view.kind !== undefined && view.kind !== 'Service' ? { kind: view.kind } : {};
        return [{ name, ...kind, ...v1Http(view.http) }];
      }
      case 'service':
        return [{ name: `svc:${view.name}.${view.namespace}`, ...v1Http(view.http) }];
      case 'kafka':
        return [{ name: rawName(target, 'kafka'), type: 'kafka', ...(view.topics.length ? { kafkaTopics: view.topics } : {}) }];
      case 'internet':
        return [
          {
            type: 'internet',
            internet: {
              ...(view.domains.length ? { domains: view.domains } : {}),
              ...(view.ips.length ? { ips: view.ips } : {}),
              ...(view.ports.length ? { ports: view.ports } : {}),
            },
          },
        ];
      case 'other':
        warnings.push(`${object.namespace}/${object.name}: a '${view.key}' target has no v1alpha3 form; left out of the export`);
        return [];
    }
  });
  return { service: { ...object.workload }, calls };
}

function rawName(target: RawTarget, key: string): string {
  return (target[key] as { name: string }).name;
}

function v1Http(http: readonly { path: string; methods: string[] }[]): Record<string, unknown> {
  return http.length === 0 ? {} : { type: 'http', HTTPResources: http.map((h) => ({ path: h.path, methods: h.methods })) };
}
