import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { clientIntentsDefinition, type ClientIntentsSpec } from '../../../src/crds/client-intents.js';

/** A ClientIntents the demo must produce: its client workload and its targets, as `targetKey` strings. */
export interface ExpectedIntents {
  readonly namespace: string;
  readonly workload: string;
  readonly kind?: string;
  readonly targets: readonly string[];
}

type Target = ClientIntentsSpec['targets'][number];

/** ` http[GET /a; GET,POST /b/{*}]`, by path: a target's HTTP paths and methods, exact. */
const httpKey = (http: readonly { path: string; methods: readonly string[] }[] | undefined): string =>
  http?.length ? ` http[${[...http].sort((a, b) => a.path.localeCompare(b.path)).map((h) => `${[...h.methods].sort().join(',')} ${h.path}`).join('; ')}]` : '';

/**
 * `kubernetes:cart#Deployment`, `kubernetes:cart#Deployment http[GET /api/cart]`,
 * `service:kubernetes.default`, `internet:api.example:80`,
 * `kafka:kafka.kafka topics[orders: consume,describe; shipping: describe,produce]`: short and exact.
 */
export function targetKey(target: Target): string {
  if (target.kubernetes) return `kubernetes:${target.kubernetes.name}${target.kubernetes.kind ? `#${target.kubernetes.kind}` : ''}${httpKey(target.kubernetes.http)}`;
  if (target.service) return `service:${target.service.name}${httpKey(target.service.http)}`;
  if (target.internet) return `internet:${[...(target.internet.domains ?? []), ...(target.internet.ips ?? [])].join(',')}:${(target.internet.ports ?? []).join(',')}`;
  if (target.kafka) {
    const topics = [...(target.kafka.topics ?? [])].sort((x, y) => x.name.localeCompare(y.name)).map((t) => `${t.name}: ${[...t.operations].sort().join(',')}`);
    return `kafka:${target.kafka.name} topics[${topics.join('; ')}]`;
  }
  return JSON.stringify(target);
}

export interface ObservedIntents {
  readonly namespace: string;
  readonly name: string;
  readonly spec: ClientIntentsSpec;
  readonly createdAt: string;
}

/** A ClientIntents as the API server returns it, with the metadata and status the tests read. */
export interface ClientIntentsItem {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly creationTimestamp: string;
    readonly generation?: number;
    readonly finalizers?: string[];
    readonly labels?: Record<string, string>;
  };
  readonly spec: ClientIntentsSpec;
  /** Ours (resolvedIPs) and the Intents Operator's (upToDate, observedGeneration). */
  readonly status?: { readonly resolvedIPs?: { dns: string; ips: string[] }[] };
}

/** Every ClientIntents in the cluster, in v2beta1. */
export async function listIntentItems(kc: KubeConfig): Promise<ClientIntentsItem[]> {
  const list = await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({
    group: clientIntentsDefinition.group, version: clientIntentsDefinition.version, plural: clientIntentsDefinition.plural,
  }) as { items: ClientIntentsItem[] };
  return list.items;
}

export async function listIntents(kc: KubeConfig): Promise<ObservedIntents[]> {
  return (await listIntentItems(kc)).map((i) => ({ namespace: i.metadata.namespace, name: i.metadata.name, spec: i.spec, createdAt: i.metadata.creationTimestamp }));
}

/**
 * How the ClientIntents differ from the expected map, one line each (an empty list: the map is
 * exactly the expected one). A ClientIntents or a target nobody expected is a difference too.
 */
export function mapDifferences(expected: readonly ExpectedIntents[], observed: readonly ObservedIntents[]): string[] {
  const lines: string[] = [];
  for (const want of expected) {
    const found = observed.find((o) => o.namespace === want.namespace && o.spec.workload.name === want.workload);
    const label = `${want.workload}${want.kind ? ` (${want.kind})` : ''} in ${want.namespace}`;
    if (!found) {
      lines.push(`${label}: no ClientIntents yet (expected ${want.targets.join(', ')})`);
      continue;
    }
    if (found.spec.workload.kind !== want.kind) lines.push(`${label}: kind is ${found.spec.workload.kind ?? '(none)'}`);
    const have = found.spec.targets.map(targetKey);
    const absent = want.targets.filter((t) => !have.includes(t));
    if (absent.length) lines.push(`${label}: missing targets ${absent.join(', ')}`);
    const extra = have.filter((t) => !want.targets.includes(t));
    if (extra.length) lines.push(`${label}: unexpected targets ${extra.join(', ')}`);
  }
  for (const object of observed) {
    if (expected.some((want) => want.namespace === object.namespace && want.workload === object.spec.workload.name)) continue;
    lines.push(`${object.spec.workload.name} in ${object.namespace}: unexpected ClientIntents (targets ${object.spec.targets.map(targetKey).join(', ')})`);
  }
  return lines;
}
