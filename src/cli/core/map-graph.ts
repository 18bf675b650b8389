import type { IntentsTarget } from '../../crds/client-intents.js';
import { decodeEvidence, evidenceAnnotation } from '../../operator/core/evidence.js';
import { sortedPorts } from '../../operator/core/port-evidence.js';
import { fromIntentsTarget, targetKey } from '../../operator/core/target-ref.js';
import type { IntentsObject, RawTarget } from './intents-object.js';
import { kafkaEdgeLabel } from './kafka/kafka-format.js';
import { compare, sortIntents } from './selection.js';
import { viewTarget } from './target-view.js';

/** One box of the picture: a workload, a Service, the API server or an internet name. */
export interface GraphNode {
  /** Unique and stable: `name.namespace` for workloads, with a prefix for the other kinds. */
  readonly id: string;
  readonly kind: 'workload' | 'service' | 'apiServer' | 'internet';
  readonly label: string;
  /** The namespace cluster it is drawn in; internet names share `internet`, the API server none. */
  readonly group?: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** Server ports (internet targets' from the spec, others' from the evidence), Kafka topics (`topic:op,op`), HTTP `METHODS:path`: empty when the call says nothing more. */
  readonly label: string;
}

export interface MapGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export const apiServerId = 'kubernetes.default';
export const internetGroup = 'internet';

/** The map as plain nodes and edges, sorted, one node per workload `name.namespace`. */
export function buildGraph(objects: readonly IntentsObject[]): MapGraph {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const add = (node: GraphNode): string => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    return node.id;
  };
  const connect = (from: string, to: string, label: string): void => {
    const key = `${from}\u0000${to}`;
    const existing = edges.get(key);
    edges.set(key, { from, to, label: mergeLabels(existing?.label ?? '', label) });
  };
  for (const object of sortIntents(objects)) {
    const client = add(workloadNode(object.workload.name, object.namespace));
    const evidence = decodeEvidence(object.annotations[evidenceAnnotation]);
    for (const target of object.targets) {
      const view = viewTarget(target, object.namespace);
      switch (view.type) {
        case 'kubernetes':
        case 'service': {
          const isService = view.type === 'service' || view.kind === 'Service';
          const node = isService ? serviceNode(view.name, view.namespace) : workloadNode(view.name, view.namespace);
          // One label part per port list and per path, a path's methods attached without a space (parts are space-separated).
          connect(client, add(node), [observedPorts(target, evidence), ...view.http.map((h) => (h.methods.length > 0 ? `${h.methods.join(',')}:${h.path}` : h.path))].join(' '));
          break;
        }
        case 'kafka':
          connect(client, add(workloadNode(view.name, view.namespace)), kafkaEdgeLabel(view));
          break;
        case 'internet':
          for (const name of [...view.domains, ...view.ips]) {
            connect(client, add({ id: `internet:${name}`, kind: 'internet', label: name, group: internetGroup }), view.ports.join(','));
          }
          break;
        case 'other':
          break;
      }
    }
  }
  return {
    nodes: [...nodes.values()].sort((a, b) => compare(a.group ?? '\uffff', b.group ?? '\uffff') || compare(a.id, b.id)),
    edges: [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to)),
  };
}

/** The server ports the evidence annotation holds for a kubernetes/service target, `8080,9090`; '' when none. */
function observedPorts(target: RawTarget, evidence: ReturnType<typeof decodeEvidence>): string {
  const ref = fromIntentsTarget(target as IntentsTarget)[0]?.ref;
  return ref ? sortedPorts(evidence.get(targetKey(ref))?.ports).join(',') : '';
}

/**
 * The node a target is drawn as, from the target's key as the diff compares targets
 * (`workload:`, `service:`, `kafka:` with `name.namespace`, `internet:` with the name).
 */
export function targetNodeId(key: string): string {
  const colon = key.indexOf(':');
  const [kind, name] = [key.slice(0, colon), key.slice(colon + 1)];
  switch (kind) {
    case 'workload':
    case 'kafka':
      return name;
    case 'service':
      return name === apiServerId ? apiServerId : `service:${name}`;
    default:
      return key;
  }
}

function workloadNode(name: string, namespace: string): GraphNode {
  return { id: `${name}.${namespace}`, kind: 'workload', label: `${name}.${namespace}`, group: namespace };
}

function serviceNode(name: string, namespace: string): GraphNode {
  if (`${name}.${namespace}` === apiServerId) return { id: apiServerId, kind: 'apiServer', label: 'Kubernetes API server' };
  return { id: `service:${name}.${namespace}`, kind: 'service', label: `${name}.${namespace} (Service)`, group: namespace };
}

function mergeLabels(a: string, b: string): string {
  const parts = new Set([...a.split(' '), ...b.split(' ')].filter((p) => p !== ''));
  return [...parts].sort().join(' ');
}

/** Nodes by group, in the graph's order; the ungrouped ones under the key `undefined`. */
export function nodesByGroup(graph: MapGraph): Map<string | undefined, GraphNode[]> {
  const groups = new Map<string | undefined, GraphNode[]>();
  for (const node of graph.nodes) groups.set(node.group, [...(groups.get(node.group) ?? []), node]);
  return groups;
}
