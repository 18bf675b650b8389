import { isManaged, type IntentsObject } from './intents-object.js';
import { targetIs, viewTarget } from './target-view.js';

/** Which ClientIntents a command shows: the same for list and export. */
export interface Selection {
  /** Client namespaces; empty means all namespaces. */
  readonly namespaces: readonly string[];
  /** Only clients that call this server, and only their targets pointing at it. */
  readonly server?: { readonly name: string; readonly namespace: string };
  /** Include ClientIntents that network-mapper does not manage. */
  readonly includeUserManaged: boolean;
}

export function selectIntents(objects: readonly IntentsObject[], selection: Selection): IntentsObject[] {
  const namespaces = new Set(selection.namespaces);
  const selected = objects
    .filter((o) => selection.includeUserManaged || isManaged(o))
    .filter((o) => namespaces.size === 0 || namespaces.has(o.namespace))
    .flatMap((o) => {
      const server = selection.server;
      if (!server) return [o];
      const targets = o.targets.filter((t) => targetIs(viewTarget(t, o.namespace), server));
      return targets.length > 0 ? [{ ...o, targets }] : [];
    });
  return sortIntents(selected);
}

/** By namespace, then client workload, then object name: the order of every output. */
export function sortIntents(objects: readonly IntentsObject[]): IntentsObject[] {
  return [...objects].sort(
    (a, b) => compare(a.namespace, b.namespace) || compare(a.workload.name, b.workload.name) || compare(a.name, b.name),
  );
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
