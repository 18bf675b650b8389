import { NetworkingV1Api, type KubeConfig, type V1LabelSelector, type V1NetworkPolicy, type V1NetworkPolicyPeer } from '@kubernetes/client-node';

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

/** One policy in a few lines: which pods it protects and who may reach them (or whom they may reach). */
export function describePolicy(policy: V1NetworkPolicy): string {
  const spec = policy.spec;
  const lines = [`${policy.metadata?.namespace}/${policy.metadata?.name} (${(spec?.policyTypes ?? []).join(', ')}): pods ${selector(spec?.podSelector)}`];
  for (const rule of spec?.ingress ?? []) {
    const ports = (rule.ports ?? []).map((p) => `${p.port ?? 'any'}/${p.protocol ?? 'TCP'}`).join(', ');
    lines.push(`    from ${(rule._from ?? []).map(peer).join('; ') || 'anywhere'}${ports ? ` on ${ports}` : ''}`);
  }
  for (const rule of spec?.egress ?? []) {
    const ports = (rule.ports ?? []).map((p) => `${p.port ?? 'any'}/${p.protocol ?? 'TCP'}`).join(', ');
    lines.push(`    to ${(rule.to ?? []).map(peer).join('; ') || 'anywhere'}${ports ? ` on ${ports}` : ''}`);
  }
  return lines.join('\n');
}
