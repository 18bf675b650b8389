import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { objectNameFor } from '../../../operator/core/names.js';
import { compare, type Selection } from '../selection.js';
import { canonicalSelector, type LabelSelector } from './label-selector.js';
import type { EdgeServer, ObservedEdge } from './observed-edges.js';
import { describeWorkload, workloadKey, type ClusterFacts, type PortRule, type WorkloadRef } from './policy-facts.js';
import { SelectorIndex } from './workload-selectors.js';

export interface PolicyPeer {
  readonly namespaceSelector?: LabelSelector;
  readonly podSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string };
}

export interface PolicyRule {
  readonly peers: readonly PolicyPeer[];
  readonly ports: readonly PortRule[];
}

/** A planned NetworkPolicy and the evidence window it was made from. */
export interface PlannedPolicy {
  readonly name: string;
  readonly namespace: string;
  readonly direction: 'Ingress' | 'Egress';
  readonly workload: WorkloadRef;
  readonly podSelector: LabelSelector;
  readonly rules: readonly PolicyRule[];
  /** The earliest first-seen and latest last-seen of the evidence behind its rules (absent without evidence). */
  readonly window?: { readonly from: number; readonly to: number };
}

/** A workload given no policy, and why: a policy that selects too much, or blocks what was seen, is never planned. */
export interface SkippedPolicy {
  readonly direction: 'Ingress' | 'Egress';
  readonly workload: WorkloadRef;
  readonly reason: string;
}

export interface PolicyPlan {
  readonly policies: readonly PlannedPolicy[];
  readonly skipped: readonly SkippedPolicy[];
}

export interface PlanOptions {
  /** Also an egress policy per client workload. */
  readonly egress: boolean;
  /** When given, only these workloads' policies (workloadKey): an ingress policy needs every client ready, an egress policy its client. */
  readonly ready?: ReadonlySet<string>;
}

const namespaceLabel = 'kubernetes.io/metadata.name';

/**
 * Plans NetworkPolicies from observed calls: per server workload an ingress policy admitting
 * exactly its observed clients on exactly the observed ports; with `egress`, per client an egress
 * policy with its targets, cluster DNS, the API server's endpoints and internet targets' resolved
 * IPs. A policy is planned whole or not at all: when any part cannot be said exactly (a workload
 * whose pods no selector picks out alone, a call without an observed port, an internet name
 * without resolved IPs), the workload is skipped with the reason.
 */
export function planNetworkPolicies(edges: readonly ObservedEdge[], facts: ClusterFacts, options: PlanOptions): PolicyPlan {
  const selections = new SelectorIndex(facts);
  const backends = new Map(facts.services.map((s) => [`${s.namespace}/${s.name}`, s.workloads]));
  const policies: PlannedPolicy[] = [];
  const skipped: SkippedPolicy[] = [];

  // Ingress: per server workload, its calls (a `service` target counts for each workload behind it).
  const inbound = new Map<string, { workload: WorkloadRef; edges: ObservedEdge[] }>();
  for (const edge of edges) {
    for (const server of serverWorkloads(edge.server, backends)) {
      const key = workloadKey(server);
      const entry = inbound.get(key) ?? { workload: server, edges: [] };
      entry.edges.push(edge);
      inbound.set(key, entry);
    }
  }
  for (const { workload, edges: calls } of inbound.values()) {
    const planned = planIngress(workload, calls, selections, options);
    if ('reason' in planned) skipped.push({ direction: 'Ingress', workload, reason: planned.reason });
    else policies.push(planned);
  }

  if (options.egress) {
    const outbound = new Map<string, { workload: WorkloadRef; edges: ObservedEdge[] }>();
    for (const edge of edges) {
      const key = workloadKey(edge.client);
      const entry = outbound.get(key) ?? { workload: edge.client, edges: [] };
      entry.edges.push(edge);
      outbound.set(key, entry);
    }
    for (const { workload, edges: calls } of outbound.values()) {
      const planned = planEgress(workload, calls, selections, backends, facts, options);
      if ('reason' in planned) skipped.push({ direction: 'Egress', workload, reason: planned.reason });
      else policies.push(planned);
    }
  }

  const order = (a: { workload: WorkloadRef; direction: string }, b: { workload: WorkloadRef; direction: string }): number =>
    compare(a.workload.namespace, b.workload.namespace) || compare(a.workload.name, b.workload.name) || compare(a.workload.kind ?? '', b.workload.kind ?? '') || compare(a.direction, b.direction);
  return { policies: uniqueNames(policies).sort(order), skipped: skipped.sort(order) };
}

/**
 * `web` of kind Deployment and a workload named `web-deployment` by annotation (no kind) would
 * both be `web-deployment-ingress`: the one without a kind then carries a hash of its identity.
 */
function uniqueNames(policies: readonly PlannedPolicy[]): PlannedPolicy[] {
  const taken = new Map<string, number>();
  for (const p of policies) taken.set(`${p.namespace}/${p.name}`, (taken.get(`${p.namespace}/${p.name}`) ?? 0) + 1);
  return policies.map((p) => {
    if (taken.get(`${p.namespace}/${p.name}`)! < 2 || p.workload.kind) return p;
    const hash = createHash('sha256').update(workloadKey(p.workload)).digest('hex').slice(0, 8);
    return { ...p, name: objectNameFor({ name: `${p.name}-${hash}` }) };
  });
}

function planIngress(server: WorkloadRef, calls: readonly ObservedEdge[], selections: SelectorIndex, options: PlanOptions): PlannedPolicy | { reason: string } {
  const own = selections.of(server);
  if (!own.ok) return { reason: own.reason };
  const byClient = new Map<string, { client: WorkloadRef; ports: Set<number>; edges: ObservedEdge[] }>();
  for (const edge of calls) {
    const key = workloadKey(edge.client);
    const entry = byClient.get(key) ?? { client: edge.client, ports: new Set<number>(), edges: [] };
    for (const port of edge.ports) entry.ports.add(port);
    entry.edges.push(edge);
    byClient.set(key, entry);
  }
  const rules: PolicyRule[] = [];
  for (const { client, ports } of sortedByWorkload([...byClient.values()], (e) => e.client)) {
    if (options.ready && !options.ready.has(workloadKey(client))) return { reason: `its client ${describeWorkload(client)} is still learning` };
    if (ports.size === 0) return { reason: `no server port observed for its client ${describeWorkload(client)} (a DNS lookup without a connection seen)` };
    const peer = selections.of(client);
    if (!peer.ok) return { reason: `its client ${describeWorkload(client)} cannot be selected exactly: ${peer.reason}` };
    rules.push({ peers: [workloadPeer(client, peer.selector)], ports: tcp(ports) });
  }
  return { name: policyName(server, 'ingress'), namespace: server.namespace, direction: 'Ingress', workload: server, podSelector: own.selector, rules, ...windowOf(calls) };
}

function planEgress(
  client: WorkloadRef,
  calls: readonly ObservedEdge[],
  selections: SelectorIndex,
  backends: ReadonlyMap<string, readonly WorkloadRef[]>,
  facts: ClusterFacts,
  options: PlanOptions,
): PlannedPolicy | { reason: string } {
  if (options.ready && !options.ready.has(workloadKey(client))) return { reason: 'still learning' };
  const own = selections.of(client);
  if (!own.ok) return { reason: own.reason };
  const rules: { sortKey: string; rule: PolicyRule }[] = [];
  const add = (sortKey: string, rule: PolicyRule): void => {
    rules.push({ sortKey, rule });
  };
  for (const edge of calls) {
    const server = edge.server;
    if (edge.ports.length === 0) return { reason: `no server port observed for its call to ${describeServer(server)} (a DNS lookup without a connection seen)` };
    const ports = tcp(edge.ports);
    if (server.type === 'api-server') {
      if (facts.apiServer.ips.length === 0) return { reason: 'it calls the API server, whose endpoints could not be read' };
      add('1', { peers: facts.apiServer.ips.map(ipPeer).sort(comparePeers), ports: tcp(facts.apiServer.ports) });
      continue;
    }
    if (server.type === 'internet') {
      const cidrs = server.ips.filter((ip) => isIP(ip) !== 0);
      if (cidrs.length === 0) return { reason: `no resolved IPs for its internet target ${server.name}` };
      add(`3 ${server.name}`, { peers: [...new Set(cidrs)].map(ipPeer).sort(comparePeers), ports });
      continue;
    }
    const workloads = serverWorkloads(server, backends);
    // A Service whose pods were not found (no selector, manual endpoints): its calls cannot be admitted by pod.
    if (workloads.length === 0) return { reason: `no pods found behind its target ${describeServer(server)}` };
    for (const workload of workloads) {
      const peer = selections.of(workload);
      if (!peer.ok) return { reason: `its target ${describeWorkload(workload)} cannot be selected exactly: ${peer.reason}` };
      add(`2 ${workloadKey(workload)}`, { peers: [workloadPeer(workload, peer.selector)], ports });
    }
  }
  const dns = facts.clusterDns;
  add(
    '0',
    dns
      ? { peers: [{ namespaceSelector: { matchLabels: { [namespaceLabel]: dns.namespace } }, podSelector: canonicalSelector(dns.selector) }], ports: [...dns.ports].sort(comparePorts) }
      : { peers: [], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
  );
  const merged = mergeRules(rules.sort((a, b) => compare(a.sortKey, b.sortKey)).map((r) => r.rule));
  return { name: policyName(client, 'egress'), namespace: client.namespace, direction: 'Egress', workload: client, podSelector: own.selector, rules: merged, ...windowOf(calls) };
}

/** Rules with the same peers (a target seen on two ports in two edges, the same IP twice) become one. */
function mergeRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const byPeers = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const key = JSON.stringify(rule.peers);
    const known = byPeers.get(key);
    if (!known) {
      const copy = { peers: rule.peers, ports: [...rule.ports] };
      byPeers.set(key, copy);
      out.push(copy);
      continue;
    }
    const ports = known.ports as PortRule[];
    for (const p of rule.ports) if (!ports.some((q) => q.port === p.port && q.protocol === p.protocol)) ports.push(p);
    ports.sort(comparePorts);
  }
  return out;
}

function serverWorkloads(server: EdgeServer, backends: ReadonlyMap<string, readonly WorkloadRef[]>): readonly WorkloadRef[] {
  if (server.type === 'workload') return [server.workload];
  if (server.type === 'service') return backends.get(`${server.namespace}/${server.name}`) ?? [];
  return [];
}

function describeServer(server: EdgeServer): string {
  switch (server.type) {
    case 'workload':
      return describeWorkload(server.workload);
    case 'service':
      return `Service ${server.name} in namespace ${server.namespace}`;
    case 'api-server':
      return 'the API server';
    case 'internet':
      return server.name;
  }
}

function workloadPeer(workload: WorkloadRef, selector: LabelSelector): PolicyPeer {
  return { namespaceSelector: { matchLabels: { [namespaceLabel]: workload.namespace } }, podSelector: selector };
}

function ipPeer(ip: string): PolicyPeer {
  return { ipBlock: { cidr: isIP(ip) === 6 ? `${ip}/128` : `${ip}/32` } };
}

function comparePeers(a: PolicyPeer, b: PolicyPeer): number {
  return compare(a.ipBlock?.cidr ?? '', b.ipBlock?.cidr ?? '');
}

function comparePorts(a: PortRule, b: PortRule): number {
  return a.port - b.port || compare(a.protocol, b.protocol);
}

function tcp(ports: Iterable<number>): PortRule[] {
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port }));
}

function windowOf(calls: readonly ObservedEdge[]): { window?: { from: number; to: number } } {
  const seen = calls.flatMap((c) => (c.evidence ? [c.evidence] : []));
  if (seen.length === 0) return {};
  return { window: { from: Math.min(...seen.map((e) => e.firstSeen)), to: Math.max(...seen.map((e) => e.lastSeen)) } };
}

function sortedByWorkload<T>(items: readonly T[], of: (item: T) => WorkloadRef): T[] {
  return [...items].sort((a, b) => compare(workloadKey(of(a)), workloadKey(of(b))));
}

/** `<name>[-<kind>]-<direction>`, a valid object name (cleaned and hashed by objectNameFor when not). */
export function policyName(workload: WorkloadRef, direction: 'ingress' | 'egress'): string {
  const base = `${workload.name}${workload.kind ? `-${workload.kind.toLowerCase()}` : ''}-${direction}`;
  return objectNameFor({ name: base });
}

/**
 * Which planned policies a selection asks for. The plan itself is always made from every
 * client (an ingress policy made from some of its clients would block the others): `-n` picks
 * the policies' namespaces, `--exclude-services` leaves out those workloads' policies, `--server`
 * keeps only that workload's ingress policy.
 */
export function selectPolicies(policies: readonly PlannedPolicy[], selection: PolicySelection): PlannedPolicy[] {
  return policies.filter((p) => selected(p.direction, p.workload.name, p.namespace, selection));
}

/** The skipped policies among those the selection would have written: a user asking for `-n shop` reads about shop only. */
export function selectSkipped(skipped: readonly SkippedPolicy[], selection: PolicySelection): SkippedPolicy[] {
  return skipped.filter((s) => selected(s.direction, s.workload.name, s.workload.namespace, selection));
}

type PolicySelection = Pick<Selection, 'namespaces' | 'excludeServices' | 'server'>;

function selected(direction: 'Ingress' | 'Egress', name: string, namespace: string, selection: PolicySelection): boolean {
  if (selection.namespaces.length > 0 && !selection.namespaces.includes(namespace)) return false;
  if (selection.excludeServices.some((s) => s.name === name && (s.namespace === undefined || s.namespace === namespace))) return false;
  return !selection.server || (direction === 'Ingress' && name === selection.server.name && namespace === selection.server.namespace);
}

/** The selection the plan reads with: every client network-mapper manages. */
export const wholeMap: Selection = { namespaces: [], includeUserManaged: false, excludeServices: [], excludeLabels: [] };
