import { decodeEvidence, evidenceAnnotation, isoSeconds, type Evidence } from '../../operator/core/evidence.js';
import { captureOrder } from '../../operator/core/types.js';
import { fromIntentsTarget, targetKey } from '../../operator/core/target-ref.js';
import type { IntentsTarget } from '../../crds/client-intents.js';
import { isManaged, type IntentsObject, type RawTarget } from './intents-object.js';
import { describeTarget } from './list-format.js';
import { compare } from './selection.js';
import { viewTarget, type TargetView } from './target-view.js';

/** An observed target the user's ClientIntents do not declare: blocked under enforcement. */
export interface MissingTarget {
  readonly target: string;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly capturedBy: readonly string[];
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
 * workload, a Service (also `kubernetes` of kind Service), a Kafka server, an internet name.
 * HTTP paths compare per path and method, exactly (`/users/{*}` is not `/users/*`), on a target
 * both sides have, and a declared path counts as unobserved only when network-mapper recorded
 * paths for that target (HTTP paths on). Ports and Kafka topics are not compared; target kinds
 * network-mapper cannot see (sql, aws, ...) are never candidates to remove.
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
    const declaredKeys = new Map<string, { text: string; sources: Set<string>; on?: string }>();
    for (const d of client.declared) {
      for (const c of d.object.targets.flatMap((t) => comparable(t, d.object.namespace))) {
        const known = declaredKeys.get(c.key) ?? { text: c.text, sources: new Set<string>(), ...(c.on ? { on: c.on } : {}) };
        known.sources.add(d.source);
        declaredKeys.set(c.key, known);
      }
    }
    const observedKeys = new Map<string, MissingTarget & { on?: string }>();
    for (const object of client.observed) {
      for (const [key, target] of observedComparables(object)) if (!observedKeys.has(key)) observedKeys.set(key, target);
    }
    const observedOn = new Set([...observedKeys.values()].flatMap((m) => (m.on ? [m.on] : [])));
    const missing = [...observedKeys]
      .filter(([key, m]) => !declaredKeys.has(key) && (m.on === undefined || declaredKeys.has(m.on)))
      .map(([, m]) => withoutOn(m));
    const unobserved = [...declaredKeys]
      .filter(([key, d]) => !observedKeys.has(key) && !key.startsWith('other:') && (d.on === undefined || observedOn.has(d.on)))
      .map(([, d]) => ({ target: d.text, declaredIn: [...d.sources].sort() }));
    if (missing.length === 0 && unobserved.length === 0) continue;
    result.push({
      namespace: client.namespace,
      workload: client.workload,
      declaredIn: [...new Set(client.declared.map((d) => d.source))].sort(),
      observedIn: client.observed.map((o) => `${o.namespace}/${o.name}`).sort(),
      missing: missing.sort((a, b) => compare(a.target, b.target)),
      unobserved: unobserved.sort((a, b) => compare(a.target, b.target)),
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
      return [{ key: `kafka:${view.name}.${view.namespace}`, text: describeTarget({ ...view, topics: [] }) }];
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
  const ref = refs.find((r) => internetName === undefined || (r.ref.type === 'internet' && r.ref.domain === internetName));
  const e = ref ? evidence.get(targetKey(ref.ref)) : undefined;
  if (!e) return { capturedBy: [] };
  return { firstSeen: isoSeconds(e.firstSeen), lastSeen: isoSeconds(e.lastSeen), capturedBy: captureOrder.filter((capture) => e.captures.has(capture)) };
}

/** Text in the manner of `kubectl diff`: per client, `+` observed but undeclared, `-` declared but unobserved. */
export function renderDiff(diff: IntentsDiff): string {
  return diff.clients
    .map((c) => {
      const from = c.declaredIn.length > 0 ? c.declaredIn.join(', ') : '(no ClientIntents declared)';
      const seen = c.observedIn.length > 0 ? c.observedIn.join(', ') : '(nothing observed)';
      const lines = [`--- declared ${c.workload} in namespace ${c.namespace}: ${from}`, `+++ observed ${c.workload} in namespace ${c.namespace}: ${seen}`];
      for (const m of c.missing) {
        const seen = m.firstSeen ? ` (seen ${m.firstSeen} .. ${m.lastSeen}${m.capturedBy.length ? ` by ${m.capturedBy.join(', ')}` : ''})` : '';
        lines.push(`+ ${m.target}${seen}: observed, not declared; blocked under enforcement`);
      }
      for (const u of c.unobserved) lines.push(`- ${u.target}: declared, not observed; a candidate to remove`);
      return `${lines.join('\n')}\n`;
    })
    .join('');
}

export function renderDiffJson(diff: IntentsDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
