import type { IntentsTarget } from '../../../crds/client-intents.js';
import { decodeEvidence, evidenceAnnotation, type Evidence } from '../../../operator/core/evidence.js';
import { sortedPorts } from '../../../operator/core/port-evidence.js';
import { fromIntentsTarget, targetKey } from '../../../operator/core/target-ref.js';
import { isManaged, type IntentsObject, type RawTarget } from '../intents-object.js';
import { viewTarget } from '../target-view.js';
import type { WorkloadRef } from './policy-facts.js';

export type EdgeServer =
  | { readonly type: 'workload'; readonly workload: WorkloadRef }
  | { readonly type: 'service'; readonly namespace: string; readonly name: string }
  | { readonly type: 'api-server' }
  | { readonly type: 'internet'; readonly name: string; readonly ips: readonly string[] };

/** One observed call: a client, what it called, the server ports seen and when. */
export interface ObservedEdge {
  readonly client: WorkloadRef;
  readonly server: EdgeServer;
  /** Server ports as the server pod sees them (the evidence's ports; internet: the spec's too), ascending. */
  readonly ports: readonly number[];
  /** From the evidence annotation, when the operator wrote one for this target. */
  readonly evidence?: Evidence;
}

/**
 * The calls network-mapper's ClientIntents record, with their ports from the evidence
 * annotation. User-managed ClientIntents carry no evidence and are not observations: left out.
 */
export function observedEdges(objects: readonly IntentsObject[]): ObservedEdge[] {
  const edges: ObservedEdge[] = [];
  for (const object of objects.filter(isManaged)) {
    const client: WorkloadRef = { namespace: object.namespace, ...object.workload };
    const evidence = decodeEvidence(object.annotations[evidenceAnnotation]);
    for (const raw of object.targets) edges.push(...edgesOf(client, raw, evidence, object.resolvedIPs ?? []));
  }
  return edges;
}

function edgesOf(client: WorkloadRef, raw: RawTarget, evidence: ReadonlyMap<string, Evidence>, resolved: readonly { dns: string; ips: readonly string[] }[]): ObservedEdge[] {
  const view = viewTarget(raw, client.namespace);
  const refs = fromIntentsTarget(raw as IntentsTarget);
  const evidenceFor = (index = 0): Evidence | undefined => {
    const ref = refs[index];
    return ref ? evidence.get(targetKey(ref.ref)) : undefined;
  };
  const withEvidence = (server: EdgeServer, e: Evidence | undefined, extraPorts: readonly number[] = []): ObservedEdge => {
    const ports = [...new Set([...sortedPorts(e?.ports), ...extraPorts])].sort((a, b) => a - b);
    return e ? { client, server, ports, evidence: e } : { client, server, ports };
  };
  switch (view.type) {
    case 'kubernetes':
      if (view.kind === 'Service') return [withEvidence(serviceServer(view.namespace, view.name), evidenceFor())];
      return [withEvidence({ type: 'workload', workload: { namespace: view.namespace, name: view.name, ...(view.kind ? { kind: view.kind } : {}) } }, evidenceFor())];
    case 'service':
      return [withEvidence(serviceServer(view.namespace, view.name), evidenceFor())];
    case 'internet':
      return view.domains.map((name, i) => withEvidence({ type: 'internet', name, ips: resolved.find((r) => r.dns === name)?.ips ?? [] }, evidenceFor(i), view.ports));
    default:
      return [];
  }
}

function serviceServer(namespace: string, name: string): EdgeServer {
  return namespace === 'default' && name === 'kubernetes' ? { type: 'api-server' } : { type: 'service', namespace, name };
}
