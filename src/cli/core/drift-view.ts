import type { DriftEntry } from '../../operator/core/drift-report.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { managedByLabel, managedByValue } from '../../shared/ownership.js';
import { isManaged, type IntentsObject, type RawTarget } from './intents-object.js';

/**
 * The operator's drift report (operator/core/drift-report.ts) as the CLI uses it. The map of a
 * client whose ClientIntents is a user's or a GitOps engine's lives in no ClientIntents of ours:
 * it is that object's targets, less those reported unobserved, plus those reported undeclared.
 */
export function observedFromDrift(objects: readonly IntentsObject[], entries: readonly DriftEntry[]): IntentsObject[] {
  const byObject = new Map(entries.map((e) => [`${e.namespace}/${e.name}`, e]));
  return objects.filter((o) => !isManaged(o)).map((declared) => {
    const entry = byObject.get(`${declared.namespace}/${declared.name}`);
    const unobserved = new Set((entry?.unobserved ?? []).map((t) => canonicalJson(t)));
    const targets: RawTarget[] = [...declared.targets.filter((t) => !unobserved.has(canonicalJson(t))), ...((entry?.undeclared ?? []) as RawTarget[])];
    return { name: declared.name, namespace: declared.namespace, labels: { [managedByLabel]: managedByValue }, annotations: {}, workload: declared.workload, targets };
  });
}

/**
 * What to commit next (`export --only-undeclared`): each declared ClientIntents the drift report
 * names with undeclared targets, with those targets added (its name, labels and annotations kept,
 * so the file replaces the committed one and the engine updates the same object); and each
 * client only network-mapper's own ClientIntents covers, whole. Nothing for a client without news.
 */
export function undeclaredExport(objects: readonly IntentsObject[], entries: readonly DriftEntry[]): IntentsObject[] {
  const declaredClients = new Set(objects.filter((o) => !isManaged(o)).map((o) => `${o.namespace}/${o.workload.name}`));
  const newClients = objects.filter((o) => isManaged(o) && !declaredClients.has(`${o.namespace}/${o.workload.name}`));
  const byObject = new Map(objects.filter((o) => !isManaged(o)).map((o) => [`${o.namespace}/${o.name}`, o]));
  const grown = entries.flatMap((entry) => {
    const declared = byObject.get(`${entry.namespace}/${entry.name}`);
    // A report a moment older than the object may name targets git has since declared.
    const have = new Set(declared?.targets.map((t) => canonicalJson(t)));
    const added = entry.undeclared.filter((t) => !have.has(canonicalJson(t))) as RawTarget[];
    if (!declared || added.length === 0) return [];
    return [{ ...declared, targets: [...declared.targets, ...added] }];
  });
  return [...grown, ...newClients];
}
