import { NetworkingV1Api, type KubeConfig, type V1LabelSelector, type V1NetworkPolicy, type V1NetworkPolicyPeer, type V1NetworkPolicyPort } from '@kubernetes/client-node';

/** The finalizer Otterize's operator puts on every ClientIntents it has acted on. */
export const otterizeFinalizer = 'intents.otterize.com/client-intents-finalizer';
/** Otterize's operator labels each NetworkPolicy it makes from ClientIntents with keys under this prefix (its own chart's policies have none). */
const otterizeLabelPrefix = 'intents.otterize.com/';

interface AppliedFields {
  metadata?: { generation?: number; finalizers?: string[] };
  status?: unknown;
}

/** Otterize has applied this version of the object: upToDate, for this generation. */
export function appliedByOtterize(object: AppliedFields | undefined): boolean {
  const status = object?.status as { upToDate?: boolean; observedGeneration?: number } | undefined;
  return status?.upToDate === true && status.observedGeneration === object?.metadata?.generation;
}

/** The NetworkPolicies Otterize's operator made from ClientIntents, in every namespace, by namespace/name. */
export async function otterizePolicies(kc: KubeConfig): Promise<V1NetworkPolicy[]> {
  const { items } = await kc.makeApiClient(NetworkingV1Api).listNetworkPolicyForAllNamespaces();
  return items.filter((p) => Object.keys(p.metadata?.labels ?? {}).some((key) => key.startsWith(otterizeLabelPrefix))).sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
}

function selector(labels: V1LabelSelector | undefined): string {
  const pairs = Object.entries(labels?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  const expressions = (labels?.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`);
  return [...pairs, ...expressions].join(', ') || 'all';
}

function peer(from: V1NetworkPolicyPeer): string {
  if (from.ipBlock) return `IPs ${from.ipBlock.cidr}`;
  const pods = from.podSelector ? `pods ${selector(from.podSelector)}` : 'all pods';
  return from.namespaceSelector ? `${pods} in namespaces ${selector(from.namespaceSelector)}` : pods;
}

/** One rule: its peers, or anywhere, and its ports when it names any. */
function rule(direction: 'from' | 'to', peers: readonly V1NetworkPolicyPeer[] | undefined, ports: readonly V1NetworkPolicyPort[] | undefined): string {
  const portList = (ports ?? []).map((p) => `${p.port ?? 'any'}/${p.protocol ?? 'TCP'}`).join(', ');
  return `    ${direction} ${(peers ?? []).map(peer).join('; ') || 'anywhere'}${portList ? ` on ${portList}` : ''}`;
}

/** One policy in a few lines: which pods it protects and who may reach them (or whom they may reach). */
export function describePolicy(policy: V1NetworkPolicy): string {
  const spec = policy.spec;
  return [
    `${policy.metadata?.namespace}/${policy.metadata?.name} (${(spec?.policyTypes ?? []).join(', ')}): pods ${selector(spec?.podSelector)}`,
    ...(spec?.ingress ?? []).map((r) => rule('from', r._from, r.ports)),
    ...(spec?.egress ?? []).map((r) => rule('to', r.to, r.ports)),
  ].join('\n');
}
