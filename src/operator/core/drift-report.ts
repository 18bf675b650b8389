import type { IntentsTarget } from '../../crds/client-intents.js';

/**
 * The drift of one client whose ClientIntents a user or a GitOps engine owns: what the map holds
 * that the object does not declare, and what it declares that the map has not held for
 * UNOBSERVED_AFTER_SECONDS. The operator keeps these in one ConfigMap of its namespace
 * (`network-mapper-drift`) rather than on the object, whose every field is the engine's or the
 * user's: writing there would change its resourceVersion at each new call (docs/gitops.md).
 * `kubectl netmap diff` and `export --only-undeclared` read it.
 */
export interface DriftEntry {
  readonly namespace: string;
  /** The declared ClientIntents. */
  readonly name: string;
  readonly workload: { readonly name: string; readonly kind?: string };
  readonly engine?: string;
  readonly undeclared: readonly IntentsTarget[];
  readonly unobserved: readonly IntentsTarget[];
}

/** A ConfigMap holds at most 1 MiB: entries beyond this many bytes are left out, and said so. */
export const driftReportMaxBytes = 900_000;
export const driftTruncatedKey = 'truncated';

/** ConfigMap keys allow [-._a-zA-Z0-9]: a namespace has no dot, so `namespace.name` is unique. */
export function driftKey(namespace: string, name: string): string {
  return `${namespace}.${name}`;
}

/** The ConfigMap's data: one JSON value per client, in key order, within the byte bound. */
export function encodeDriftReport(entries: Iterable<DriftEntry>): Record<string, string> {
  const sorted = [...entries].sort((a, b) => (driftKey(a.namespace, a.name) < driftKey(b.namespace, b.name) ? -1 : 1));
  const data: Record<string, string> = {};
  let bytes = 0;
  let left = 0;
  for (const entry of sorted) {
    const key = driftKey(entry.namespace, entry.name);
    const value = JSON.stringify(entry);
    if (bytes + key.length + value.length > driftReportMaxBytes) {
      left++;
      continue;
    }
    bytes += key.length + value.length;
    data[key] = value;
  }
  if (left > 0) data[driftTruncatedKey] = `${left} client(s) left out for the ConfigMap's size`;
  return data;
}

export interface DecodedDriftReport {
  readonly entries: DriftEntry[];
  readonly problems: string[];
}

/** The entries of a drift ConfigMap's data; an unreadable one is reported, not fatal. */
export function decodeDriftReport(data: Readonly<Record<string, string>> | undefined): DecodedDriftReport {
  const entries: DriftEntry[] = [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(data ?? {})) {
    if (key === driftTruncatedKey) {
      problems.push(`drift report: ${value}`);
      continue;
    }
    try {
      const entry = JSON.parse(value) as Partial<DriftEntry>;
      if (typeof entry.namespace !== 'string' || typeof entry.name !== 'string' || typeof entry.workload?.name !== 'string' || !Array.isArray(entry.undeclared) || !Array.isArray(entry.unobserved)) {
        throw new Error('not a drift entry');
      }
      entries.push(entry as DriftEntry);
    } catch {
      problems.push(`drift report: entry ${key} is unreadable; left out`);
    }
  }
  return { entries, problems };
}
