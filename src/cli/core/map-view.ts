import { observedTargets, type MissingTarget } from './intents-diff.js';
import type { IntentsObject, RawTarget } from './intents-object.js';
import { buildGraph, internetGroup, targetNodeId, type MapGraph } from './map-graph.js';
import { readinessOf } from './readiness.js';
import { compare } from './selection.js';
import { viewTarget } from './target-view.js';

/** What the page asks to see: namespaces unticked, and the search box's text. */
export interface MapFilter {
  readonly hiddenNamespaces: readonly string[];
  readonly search: string;
}

/** A target as the page lists it: what it is, when it was first and last seen, and by which captures. */
export type SeenTarget = MissingTarget;

export interface WorkloadDetail {
  readonly namespace: string;
  readonly workload: string;
  /** The ClientIntents it comes from, `namespace/name`. */
  readonly objects: readonly string[];
  readonly targets: readonly SeenTarget[];
  /** Ready to enforce, or still learning and why (readiness.ts); absent when the caller gave no stable period. */
  readonly readiness?: { readonly ready: boolean; readonly reason: string };
}

/** The JSON the page renders next to the picture. */
export interface MapView {
  /** Every namespace of the map before filtering, for the checkboxes. */
  readonly namespaces: readonly string[];
  /** ClientIntents shown after filtering. */
  readonly shown: number;
  readonly total: number;
  readonly graph: MapGraph;
  /** Per client workload node id (`name.namespace`): its targets. */
  readonly workloads: Readonly<Record<string, WorkloadDetail>>;
  /** Per edge of the graph, `from->to` as Graphviz titles it: its label (ports, paths) and the evidence of the targets it stands for. */
  readonly edges: Readonly<Record<string, EdgeDetail>>;
}

export interface EdgeDetail {
  readonly from: string;
  readonly to: string;
  /** Ports of internet targets, `Kafka`, HTTP paths, as drawn on the edge. */
  readonly label: string;
  readonly targets: readonly SeenTarget[];
}

/**
 * The ClientIntents the filter leaves: clients in hidden namespaces go, and so do targets in
 * them, so that the namespace disappears from the picture. A search keeps the clients whose
 * `name.namespace` contains it whole, and of the others only the targets that contain it.
 */
export function filterIntents(objects: readonly IntentsObject[], filter: MapFilter): IntentsObject[] {
  const hidden = new Set(filter.hiddenNamespaces);
  const search = filter.search.trim().toLowerCase();
  return objects.flatMap((object) => {
    if (hidden.has(object.namespace)) return [];
    const visible = object.targets.filter((t) => !targetNamespaces(t, object.namespace).some((ns) => hidden.has(ns)));
    if (search === '' || `${object.workload.name}.${object.namespace}`.toLowerCase().includes(search)) return [{ ...object, targets: visible }];
    const matching = visible.filter((t) => targetNames(t, object.namespace).some((name) => name.toLowerCase().includes(search)));
    return matching.length > 0 ? [{ ...object, targets: matching }] : [];
  });
}

/** `readiness`: the moment and the stable period to judge each client by (readiness.ts). */
export function mapView(objects: readonly IntentsObject[], filter: MapFilter, readiness?: { now: number; stableForMs: number }): MapView {
  const namespaces = new Set(buildGraph(objects).nodes.flatMap((n) => (n.group === undefined || n.group === internetGroup ? [] : [n.group])));
  const shown = filterIntents(objects, filter);
  const workloads: Record<string, WorkloadDetail> = {};
  const byEdge = new Map<string, Map<string, SeenTarget>>();
  for (const object of shown) {
    const id = `${object.workload.name}.${object.namespace}`;
    const known = workloads[id];
    const targets = new Map((known?.targets ?? []).map((t) => [t.target, t]));
    for (const [key, target] of observedTargets(object)) {
      if (!targets.has(target.target)) targets.set(target.target, target);
      const edge = `${id}->${targetNodeId(key)}`;
      const seen = byEdge.get(edge) ?? new Map<string, SeenTarget>();
      if (!seen.has(target.target)) seen.set(target.target, target);
      byEdge.set(edge, seen);
    }
    workloads[id] = {
      namespace: object.namespace,
      workload: object.workload.name,
      objects: [...(known?.objects ?? []), `${object.namespace}/${object.name}`],
      targets: [...targets.values()].sort((a, b) => compare(a.target, b.target)),
    };
  }
  if (readiness) {
    for (const r of readinessOf(shown, readiness.now, readiness.stableForMs)) {
      const id = `${r.workload.name}.${r.workload.namespace}`;
      const detail = workloads[id];
      // Two kinds of one name share a node: the one still learning speaks for both.
      if (detail && (detail.readiness === undefined || detail.readiness.ready)) workloads[id] = { ...detail, readiness: { ready: r.ready, reason: r.reason } };
    }
  }
  const graph = buildGraph(shown);
  const edges: Record<string, EdgeDetail> = {};
  for (const { from, to, label } of graph.edges) {
    const key = `${from}->${to}`;
    edges[key] = { from, to, label, targets: [...(byEdge.get(key)?.values() ?? [])].sort((a, b) => compare(a.target, b.target)) };
  }
  return { namespaces: [...namespaces].sort(compare), shown: shown.length, total: objects.length, graph, workloads, edges };
}

/** Reads the page's query: `hide` comma-separated namespaces, `q` the search text. */
export function parseMapFilter(query: { hide?: string | undefined; q?: string | undefined }): MapFilter {
  return { hiddenNamespaces: (query.hide ?? '').split(',').filter((ns) => ns !== ''), search: query.q ?? '' };
}

function targetNamespaces(target: RawTarget, clientNamespace: string): string[] {
  const view = viewTarget(target, clientNamespace);
  return view.type === 'kubernetes' || view.type === 'service' || view.type === 'kafka' ? [view.namespace] : [];
}

function targetNames(target: RawTarget, clientNamespace: string): string[] {
  const view = viewTarget(target, clientNamespace);
  switch (view.type) {
    case 'kubernetes':
    case 'service':
      return [`${view.name}.${view.namespace}`];
    case 'kafka':
      return [`${view.name}.${view.namespace}`, ...view.topics.map((t) => t.name)];
    case 'internet':
      return [...view.domains, ...view.ips];
    case 'other':
      return [view.key];
  }
}
