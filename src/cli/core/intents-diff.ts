import { decodeEvidence, evidenceAnnotation, isoSeconds, type Evidence } from '../../operator/core/evidence.js';
import { sortedPorts } from '../../operator/core/port-evidence.js';
import { captureOrder } from '../../operator/core/types.js';
import { fromIntentsTarget, targetKey } from '../../operator/core/target-ref.js';
import type { IntentsTarget } from '../../crds/client-intents.js';
import { isManaged, type IntentsObject, type RawTarget } from './intents-object.js';
import { kafkaComparables, kafkaCovers } from './kafka/kafka-format.js';
import { describeTarget } from './list-format.js';
import { compare } from './selection.js';
import { viewTarget, type TargetView } from './target-view.js';

/** An observed target the user's ClientIntents do not declare: blocked under enforcement. */
export interface MissingTarget {
  readonly target: string;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly capturedBy: readonly string[];
  /** The server ports seen (the evidence annotation), with when; absent when none was recorded. */
  readonly ports?: readonly { readonly port: number; readonly firstSeen: string; readonly lastSeen: string }[];
}

/** An internet target declared with ports that traffic used other ports of: blocked under enforcement. */
export interface ChangedPorts {
  readonly target: string;
  readonly declared: readonly number[];
  readonly observed: readonly number[];
  /** Observed, not declared. */
  readonly undeclared: readonly number[];
}

/** A declared target network-mapper has not observed: a candidate to remove. */
export interface UnobservedTarget {
  readonly target: string;
  /** The declaring ClientIntents, `namespace/name` (or the file with --against). */
  readonly declaredIn: readonly string[];
}

export interface ClientDiff {
  readonly namespace: string;
  readonly workload: string;
  readonly declaredIn: readonly string[];
  /** network-mapper's ClientIntents of this client, `namespace/name`; empty if it saw nothing. */
  readonly observedIn: readonly string[];
  readonly missing: readonly MissingTarget[];
  readonly unobserved: readonly UnobservedTarget[];
  readonly changedPorts: readonly ChangedPorts[];
}

export interface IntentsDiff {
  readonly differ: boolean;
  readonly clients: readonly ClientDiff[];
}

/** A declared ClientIntents and where it came from (`namespace/name`, or a file path). */
export interface DeclaredIntents {
  readonly object: IntentsObject;
  readonly source: string;
}

interface Comparable {
  readonly key: string;
  readonly text: string;
  /** For an HTTP path and method: the key of the target it is on. */
  readonly on?: string;
}

/**
 * Observed (network-mapper's ClientIntents, with their evidence annotation) against declared
 * (the user's ClientIntents), per client workload. Targets compare by what they point at: a
 * workload, a Service (also `kubernetes` of kind Service), a Kafka topic operation (a declared
 * `all` or topic `*` covers it), an internet name.
 * HTTP paths compare per path and method, exactly (`/users/{*}` is not `/users/*`), on a target
 * both sides have, and a declared path counts as unobserved only when network-mapper recorded
 * paths for that target (HTTP paths on). Ports are compared for internet targets declared with
 * ports; target kinds network-mapper cannot see (sql, aws, ...) are never candidates to remove.
 */
export function diffIntents(observed: readonly IntentsObject[], declared: readonly DeclaredIntents[]): IntentsDiff {
  const clients = new Map<string, { namespace: string; workload: string; observed: IntentsObject[]; declared: DeclaredIntents[] }>();
  const entry = (namespace: string, workload: string) => {
    const key = `${namespace}/${workload}`;
    let found = clients.get(key);
    if (!found) clients.set(key, (found = { namespace, workload, observed: [], declared: [] }));
    return found;
  };
  for (const object of observed.filter(isManaged)) entry(object.namespace, object.workload.name).observed.push(object);
  for (const d of declared) entry(d.object.namespace, d.object.workload.name).declared.push(d);

  const result: ClientDiff[] = [];
  for (const client of [...clients.values()].sort((a, b) => compare(a.namespace, b.namespace) || compare(a.workload, b.workload))) {
    const declaredKeys = new Map<string, { text: string; sources: Set<string>; ports: Set<number>; on?: string }>();
    for (const d of client.declared) {
      for (const raw of d.object.targets) {
        for (const c of comparable(raw, d.object.namespace)) {
          const known = declaredKeys.get(c.key) ?? { text: c.text, sources: new Set<string>(), ports: new Set<number>(), ...(c.on ? { on: c.on } : {}) };
          known.sources.add(d.source);
          for (const port of internetPorts(raw, d.object.namespace)) known.ports.add(port);
          declaredKeys.set(c.key, known);
        }
      }
    }
    const observedKeys = new Map<string, MissingTarget & { on?: string }>();
    for (const object of client.observed) {
      for (const [key, target] of observedComparables(object)) if (!observedKeys.has(key)) observedKeys.set(key, target);
    }
    const declaredKafka = [...declaredKeys.keys()].filter((key) => key.startsWith('kafka:'));
    const observedKafka = [...observedKeys.keys()].filter((key) => key.startsWith('kafka:'));
    const observedOn = new Set([...observedKeys.values()].flatMap((m) => (m.on ? [m.on] : [])));
    const missing = [...observedKeys]
      .filter(([key, m]) => !declaredKeys.has(key) && !declaredKafka.some((d) => kafkaCovers(d, key)) && (m.on === undefined || declaredKeys.has(m.on)))
      .map(([, m]) => withoutOn(m));
    const unobserved = [...declaredKeys]
      .filter(([key, d]) => !observedKeys.has(key) && !key.startsWith('other:') && !observedKafka.some((o) => kafkaCovers(key, o)) && (d.on === undefined || observedOn.has(d.on)))
      .map(([, d]) => ({ target: d.text, declaredIn: [...d.sources].sort() }));
    const changedPorts = portChanges(client.observed, declaredKeys);
    if (missing.length === 0 && unobserved.length === 0 && changedPorts.length === 0) continue;
    result.push({
      namespace: client.namespace,
      workload: client.workload,
      declaredIn: [...new Set(client.declared.map((d) => d.source))].sort(),
      observedIn: client.observed.map((o) => `${o.namespace}/${o.name}`).sort(),
      missing: missing.sort((a, b) => compare(a.target, b.target)),
      unobserved: unobserved.sort((a, b) => compare(a.target, b.target)),
      changedPorts,
    });
  }
  return { differ: result.length > 0, clients: result };
}

/**
 * A ClientIntents' targets by what they point at (one per internet name), each with when it was
 * first and last seen and by which captures, from the evidence annotation when there is one.
 */
export function observedTargets(object: IntentsObject): Map<string, MissingTarget> {
  return new Map([...observedComparables(object)].map(([key, target]) => [key, withoutOn(target)]));
}

function observedComparables(object: IntentsObject): Map<string, MissingTarget & { on?: string }> {
  const evidence = decodeEvidence(object.annotations[evidenceAnnotation]);
  const targets = new Map<string, MissingTarget & { on?: string }>();
  for (const raw of object.targets) {
    for (const c of comparable(raw, object.namespace)) {
      if (!targets.has(c.key)) targets.set(c.key, { target: c.text, ...evidenceOf(raw, c, evidence), ...(c.on ? { on: c.on } : {}) });
    }
  }
  return targets;
}

/**
 * Internet targets declared with ports (the one kind ClientIntents give ports to) against the
 * ports the traffic used: Otterize's egress policies admit only the declared ones.
 */
function portChanges(observed: readonly IntentsObject[], declared: ReadonlyMap<string, { text: string; ports: ReadonlySet<number> }>): ChangedPorts[] {
  const seen = new Map<string, Set<number>>();
  for (const object of observed) {
    for (const raw of object.targets) {
      for (const c of comparable(raw, object.namespace)) {
        const ports = seen.get(c.key) ?? new Set<number>();
        for (const port of internetPorts(raw, object.namespace)) ports.add(port);
        seen.set(c.key, ports);
      }
    }
  }
  const out: ChangedPorts[] = [];
  for (const [key, ports] of seen) {
    const d = declared.get(key);
    if (!d || d.ports.size === 0) continue;
    const undeclared = [...ports].filter((p) => !d.ports.has(p)).sort((a, b) => a - b);
    if (undeclared.length > 0) out.push({ target: d.text, declared: [...d.ports].sort((a, b) => a - b), observed: [...ports].sort((a, b) => a - b), undeclared });
  }
  return out.sort((a, b) => compare(a.target, b.target));
}

function internetPorts(raw: RawTarget, namespace: string): number[] {
  const view = viewTarget(raw, namespace);
  return view.type === 'internet' ? view.ports : [];
}

function withoutOn(target: MissingTarget & { on?: string }): MissingTarget {
  const { on: _on, ...rest } = target;
  return rest;
}

/** `declared` undefined: the user-managed ClientIntents among `objects` are the declared side. */
export function clusterDiff(objects: readonly IntentsObject[], declared?: readonly DeclaredIntents[]): IntentsDiff {
  const fromCluster = objects.filter((o) => !isManaged(o)).map((object) => ({ object, source: `${object.namespace}/${object.name}` }));
  return diffIntents(objects.filter(isManaged), declared ?? fromCluster);
}

/** What a target points at, one entry per internet name. */
function comparable(raw: RawTarget, namespace: string): Comparable[] {
  const view = viewTarget(raw, namespace);
  switch (view.type) {
    case 'kubernetes':
    case 'service': {
      const service = view.type === 'service' || view.kind === 'Service';
      const text = describeTarget(service ? { type: 'service', name: view.name, namespace: view.namespace, http: [] } : { ...view, http: [] });
      const key = `${service ? 'service' : 'workload'}:${view.name}.${view.namespace}`;
      // An empty methods list allows every method: compared as `*`.
      const http = view.http.flatMap((h) => (h.methods.length > 0 ? h.methods : ['*']).map((method) => ({
        key: `http:${key} ${method} ${h.path}`, text: `${text}: ${method} ${h.path}`, on: key,
      })));
      return [{ key, text }, ...http];
    }
    case 'kafka':
      return kafkaComparables(view).map(({ key, text }) => ({ key, text }));
    case 'internet':
      return [...view.domains, ...view.ips].map((name) => ({ key: `internet:${name}`, text: describeTarget({ type: 'internet', domains: [name], ips: [], ports: [] } satisfies TargetView) }));
    case 'other':
      return [{ key: `other:${view.key}:${JSON.stringify(view.value)}`, text: describeTarget(view) }];
  }
}

/** The operator keys evidence by its own target refs (src/operator/core/target-ref.ts). */
function evidenceOf(raw: RawTarget, c: Comparable, evidence: ReadonlyMap<string, Evidence>): Omit<MissingTarget, 'target'> {
  const refs = fromIntentsTarget(raw as IntentsTarget);
  const internetName = c.key.startsWith('internet:') ? c.key.slice('internet:'.length) : undefined;
  const [, , topic, operation] = c.key.startsWith('kafka:') ? c.key.split(':') : [];
  const ref = refs.find((r) =>
    r.ref.type === 'kafka' ? r.ref.topic === topic && r.ref.operation === operation : internetName === undefined || (r.ref.type === 'internet' && r.ref.domain === internetName),
  );
  const e = ref ? evidence.get(targetKey(ref.ref)) : undefined;
  if (!e) return { capturedBy: [] };
  const ports = sortedPorts(e.ports).map((port) => ({ port, firstSeen: isoSeconds(e.ports!.get(port)!.firstSeen), lastSeen: isoSeconds(e.ports!.get(port)!.lastSeen) }));
  return { firstSeen: isoSeconds(e.firstSeen), lastSeen: isoSeconds(e.lastSeen), capturedBy: captureOrder.filter((capture) => e.captures.has(capture)), ...(ports.length > 0 ? { ports } : {}) };
}

/** Text in the manner of `kubectl diff`: per client, `+` observed but undeclared, `-` declared but unobserved. */
export function renderDiff(diff: IntentsDiff): string {
  return diff.clients
    .map((c) => {
      const from = c.declaredIn.length > 0 ? c.declaredIn.join(', ') : '(no ClientIntents declared)';
      const seen = c.observedIn.length > 0 ? c.observedIn.join(', ') : '(nothing observed)';
      const lines = [`--- declared ${c.workload} in namespace ${c.namespace}: ${from}`, `+++ observed ${c.workload} in namespace ${c.namespace}: ${seen}`];
      for (const m of c.missing) {
        const ports = m.ports ? `; ports ${m.ports.map((p) => p.port).join(', ')}` : '';
        const seen = m.firstSeen ? ` (seen ${m.firstSeen} .. ${m.lastSeen}${m.capturedBy.length ? ` by ${m.capturedBy.join(', ')}` : ''}${ports})` : '';
        lines.push(`+ ${m.target}${seen}: observed, not declared; blocked under enforcement`);
      }
      for (const u of c.unobserved) lines.push(`- ${u.target}: declared, not observed; a candidate to remove`);
      for (const p of c.changedPorts) {
        lines.push(`~ ${p.target}: port${p.undeclared.length > 1 ? 's' : ''} ${p.undeclared.join(', ')} observed, not declared (declared ${p.declared.join(', ')}); blocked under enforcement`);
      }
      return `${lines.join('\n')}\n`;
    })
    .join('');
}

export function renderDiffJson(diff: IntentsDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
