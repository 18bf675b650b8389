import { bookkeepingAnnotationPrefix, managedByLabel, managedByValue } from '../../shared/ownership.js';
import { gitOpsManagement } from '../../shared/gitops.js';

/**
 * A ClientIntents as read from the API server, reduced to what the CLI shows and exports. Targets
 * stay raw objects: user-managed ClientIntents may hold target kinds network-mapper never writes
 * (sql, aws, ...), and an export must not lose them.
 */
export interface IntentsObject {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly workload: { readonly name: string; readonly kind?: string };
  readonly targets: readonly RawTarget[];
  /** status.resolvedIPs: the IPs each internet domain was answered with (absent when none). */
  readonly resolvedIPs?: readonly { readonly dns: string; readonly ips: readonly string[] }[];
}

export type RawTarget = Readonly<Record<string, unknown>>;


/** Annotations that record how an object was written rather than what it says. */
const toolAnnotations = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** Ours: our label, and no GitOps engine applies it (git took over an export of ours: theirs now). */
export function isManaged(object: IntentsObject): boolean {
  return object.labels[managedByLabel] === managedByValue && gitOpsManagement({ labels: object.labels, annotations: object.annotations }) === undefined;
}

export type ReadResult = { ok: true; object: IntentsObject } | { ok: false; reason: string };

/** Reads one item of a ClientIntents list; a malformed item is reported, not fatal. */
export function readIntentsObject(item: unknown): ReadResult {
  const metadata = field(item, 'metadata');
  const name = field(metadata, 'name');
  const namespace = field(metadata, 'namespace');
  if (typeof name !== 'string' || typeof namespace !== 'string') return { ok: false, reason: 'no metadata.name or metadata.namespace' };
  const spec = field(item, 'spec');
  const workload = field(spec, 'workload');
  const workloadName = field(workload, 'name');
  const workloadKind = field(workload, 'kind');
  if (typeof workloadName !== 'string' || workloadName === '') {
    return { ok: false, reason: `${namespace}/${name} has no spec.workload.name` };
  }
  const targets = field(spec, 'targets') ?? [];
  if (!Array.isArray(targets) || !targets.every(isRecord)) {
    return { ok: false, reason: `${namespace}/${name} has a spec.targets that is not a list of objects` };
  }
  return {
    ok: true,
    object: {
      name,
      namespace,
      labels: stringRecord(field(metadata, 'labels')),
      annotations: stringRecord(field(metadata, 'annotations')),
      workload: typeof workloadKind === 'string' && workloadKind !== '' ? { name: workloadName, kind: workloadKind } : { name: workloadName },
      targets,
      ...resolvedIPsOf(field(field(item, 'status'), 'resolvedIPs')),
    },
  };
}

function resolvedIPsOf(value: unknown): { resolvedIPs?: { dns: string; ips: string[] }[] } {
  if (!Array.isArray(value)) return {};
  const entries = value.flatMap((entry: unknown) => {
    const dns = field(entry, 'dns');
    const ips = field(entry, 'ips');
    return typeof dns === 'string' && Array.isArray(ips) ? [{ dns, ips: ips.filter((ip): ip is string => typeof ip === 'string') }] : [];
  });
  return entries.length > 0 ? { resolvedIPs: entries } : {};
}

/** Labels without network-mapper's managed-by label. */
export function userLabels(object: IntentsObject): Record<string, string> {
  return Object.fromEntries(Object.entries(object.labels).filter(([key, value]) => !(key === managedByLabel && value === managedByValue)));
}

/** Annotations without network-mapper's and kubectl's bookkeeping. */
export function userAnnotations(object: IntentsObject): Record<string, string> {
  return Object.fromEntries(
    Object.entries(object.annotations).filter(([key]) => !key.startsWith(bookkeepingAnnotationPrefix) && !toolAnnotations.has(key)),
  );
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
