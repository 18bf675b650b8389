import { intentsBounds } from '../../crds/bounds.js';
import { httpMethods, type ClientIntentsSpec } from '../../crds/client-intents.js';
import { bookkeepingAnnotationPrefix } from '../../shared/ownership.js';
import { BoundedMap } from '../../shared/core/bounded-map.js';
import { HttpPaths } from '../../shared/http-paths.js';
import type { DesiredIntents } from './intents-store.js';
import { targetKey } from './target-ref.js';

/**
 * Per target key, how many HTTP observations went to paths beyond the target's cap (the sniffer's
 * per-server cap and ours): `{"kubernetes:cart#Deployment": 12}`. Absent when nothing overflowed.
 */
export const httpOverflowAnnotation = `${bookkeepingAnnotationPrefix}http-overflow`;

export interface HttpIntentsBounds {
  /** Distinct paths per target (the CRD's bound). */
  readonly pathsPerTarget: number;
  /** (client, target) pairs held; beyond it the least recently refreshed go first (counted). */
  readonly maxTargets: number;
  readonly onEvict?: (entries: number) => void;
}

export const defaultHttpIntentsBounds: HttpIntentsBounds = { pathsPerTarget: intentsBounds.httpPerTarget, maxTargets: 200_000 };

interface TargetHttp {
  readonly paths: HttpPaths;
  overflow: number;
}

const otterizeMethods = new Set<string>(httpMethods);

/**
 * The HTTP paths and methods each client was seen using on each of its `kubernetes` targets, kept
 * beside the IntentsStore (which keeps the targets themselves): recorded from NetworkObservations,
 * aged like targets, rebuilt from written ClientIntents after a restart, and attached to the
 * desired spec as `http: [{path, methods}]`. Bounded: paths per target, and (client, target) pairs.
 */
export class HttpIntents {
  /** `${clientKey}\n${targetKey}` -> paths; order is refresh order, at most maxTargets (200,000 by default). */
  private readonly targets: BoundedMap<string, TargetHttp>;
  private readonly bounds: HttpIntentsBounds;

  constructor(bounds: Partial<HttpIntentsBounds> = {}) {
    this.bounds = { ...defaultHttpIntentsBounds, ...bounds };
    this.targets = new BoundedMap(this.bounds.maxTargets, { onEvict: (evicted) => this.bounds.onEvict?.(evicted.length) });
  }

  get size(): number {
    return this.targets.size;
  }

  /** Adds a path (or methods to it); true when the target's http list or overflow changed. */
  record(clientKey: string, target: string, path: string, methods: readonly string[], firstSeen: number, lastSeen: number): boolean {
    const entry = this.entry(clientKey, target);
    const before = entry.paths.methodsOf(path)?.join(',');
    if (!entry.paths.add(path, methods, firstSeen, lastSeen)) {
      entry.overflow += 1;
      return true;
    }
    return before !== entry.paths.methodsOf(path)?.join(',');
  }

  /** Requests the sniffer left out for its per-server cap, shown on this target. */
  recordOverflow(clientKey: string, target: string, count: number): boolean {
    if (count <= 0) return false;
    this.entry(clientKey, target).overflow += count;
    return true;
  }

  /** Forgets paths not seen since `now - maxAgeMs` (0: never); returns the clients that changed. */
  expire(now: number, maxAgeMs: number): string[] {
    if (maxAgeMs <= 0) return [];
    const changed = new Set<string>();
    for (const [key, entry] of this.targets) {
      if (entry.paths.expire(now - maxAgeMs) === 0) continue;
      changed.add(clientOf(key));
      if (entry.paths.size === 0) this.targets.delete(key);
    }
    return [...changed];
  }

  /**
   * Rebuilds a client's paths from a ClientIntents written earlier (at `seenAt` per target, from
   * its evidence), and the overflow counts from its annotation, so that a restart writes nothing.
   */
  seed(clientKey: string, spec: ClientIntentsSpec, seenAt: (target: string) => number, overflowAnnotation?: string): void {
    for (const [target, count] of Object.entries(parseOverflow(overflowAnnotation))) this.recordOverflow(clientKey, target, count);
    for (const target of spec.targets) {
      const kubernetes = target.kubernetes;
      if (!kubernetes?.http?.length) continue;
      const key = targetKey(kubernetes.kind ? { type: 'kubernetes', name: kubernetes.name, kind: kubernetes.kind } : { type: 'kubernetes', name: kubernetes.name });
      const at = seenAt(key);
      const entry = this.entry(clientKey, key);
      for (const resource of kubernetes.http) entry.paths.add(resource.path, resource.methods, at, at);
    }
  }

  /**
   * Takes over what `previous` held that this one lacks (see IntentsStore.adoptMissing), within
   * the bound: the previous entries are older, so they are the first to go.
   */
  adoptMissing(previous: HttpIntents): void {
    this.targets.replaceAll([...[...previous.targets].filter(([key]) => !this.targets.has(key)), ...this.targets]);
  }

  forget(clientKey: string): void {
    const prefix = `${clientKey}\n`;
    for (const key of this.targets.keys()) if (key.startsWith(prefix)) this.targets.delete(key);
  }

  /**
   * The desired ClientIntents with `http` on its kubernetes targets, and the overflow annotation.
   * Only methods ClientIntents can name are written (HEAD is not among them: a path seen only with
   * HEAD is left out, as writing it with no methods would allow every method).
   */
  attach(desired: DesiredIntents): DesiredIntents {
    const overflow: Record<string, number> = {};
    const targets = desired.spec.targets.map((target) => {
      const kubernetes = target.kubernetes;
      if (!kubernetes) return target;
      const key = targetKey(kubernetes.kind ? { type: 'kubernetes', name: kubernetes.name, kind: kubernetes.kind } : { type: 'kubernetes', name: kubernetes.name });
      const entry = this.targets.get(`${desired.clientKey}\n${key}`);
      if (!entry) return target;
      if (entry.overflow > 0) overflow[key] = entry.overflow;
      const http = entry.paths
        .list()
        .map((p) => ({ path: p.path, methods: p.methods.filter((m) => otterizeMethods.has(m)) as (typeof httpMethods)[number][] }))
        .filter((p) => p.methods.length > 0);
      return http.length > 0 ? { kubernetes: { ...kubernetes, http } } : target;
    });
    const annotations = Object.keys(overflow).length > 0 ? { [httpOverflowAnnotation]: JSON.stringify(sortedRecord(overflow)) } : undefined;
    return { ...desired, spec: { ...desired.spec, targets }, ...(annotations ? { annotations } : {}) };
  }

  private entry(clientKey: string, target: string): TargetHttp {
    const key = `${clientKey}\n${target}`;
    const entry = this.targets.get(key) ?? { paths: new HttpPaths(this.bounds.pathsPerTarget), overflow: 0 };
    this.targets.set(key, entry);
    return entry;
  }
}

function parseOverflow(text: string | undefined): Record<string, number> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => Number.isSafeInteger(e[1]) && (e[1] as number) > 0));
  } catch {
    return {};
  }
}

function clientOf(key: string): string {
  return key.slice(0, key.indexOf('\n'));
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
