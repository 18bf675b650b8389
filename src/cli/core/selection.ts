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
  /** Workloads and Services left out, as clients and as targets: `name` (any namespace) or `name.namespace`. */
  readonly excludeServices: readonly ServiceRef[];
  /** Clients whose pods carry any of these labels are left out (the shell finds those clients). */
  readonly excludeLabels: readonly { readonly key: string; readonly value: string }[];
}

/** `namespace` undefined: that name in every namespace. */
export interface ServiceRef {
  readonly name: string;
  readonly namespace?: string;
}

/**
 * `labelledClients`: `name.namespace` of the client workloads whose pods carry one of
 * `selection.excludeLabels` (read from the cluster by the shell).
 */
export function selectIntents(objects: readonly IntentsObject[], selection: Selection, labelledClients: ReadonlySet<string> = new Set()): IntentsObject[] {
  const namespaces = new Set(selection.namespaces);
  const excluded = (name: string, namespace: string): boolean =>
    selection.excludeServices.some((s) => s.name === name && (s.namespace === undefined || s.namespace === namespace));
  const selected = objects
    .filter((o) => selection.includeUserManaged || isManaged(o))
    .filter((o) => namespaces.size === 0 || namespaces.has(o.namespace))
    .filter((o) => !excluded(o.workload.name, o.namespace) && !labelledClients.has(`${o.workload.name}.${o.namespace}`))
    .flatMap((o) => {
      const server = selection.server;
      const targets = o.targets.filter((t) => {
        const view = viewTarget(t, o.namespace);
        if ((view.type === 'kubernetes' || view.type === 'service' || view.type === 'kafka') && excluded(view.name, view.namespace)) return false;
        return !server || targetIs(view, server);
      });
      // An object whose every target was filtered away says nothing about the selection.
      return targets.length > 0 || (o.targets.length === 0 && !server) ? [{ ...o, targets }] : [];
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
