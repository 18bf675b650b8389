import type { CommittedPolicy, RawPeer } from '../core/network-policy/policy-diff.js';
import { createdByLabel } from '../core/network-policy/policy-yaml.js';
import { documentsIn } from './read-intents-dir.js';
import type { Streams } from './write-export.js';

/**
 * The NetworkPolicies an earlier `export --format networkpolicy` wrote under `dir` (those with
 * its created-by label); other objects, and NetworkPolicies written by hand, are passed over.
 */
export function readPoliciesDir(dir: string, streams: Streams): CommittedPolicy[] {
  const policies: CommittedPolicy[] = [];
  for (const { item, where, source } of documentsIn(dir)) {
    const o = (item ?? {}) as {
      apiVersion?: unknown;
      kind?: unknown;
      metadata?: { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };
      spec?: { policyTypes?: unknown; ingress?: { from?: RawPeer[]; ports?: { protocol?: string; port?: number | string }[] }[]; egress?: { to?: RawPeer[]; ports?: { protocol?: string; port?: number | string }[] }[] };
    };
    if (o.kind !== 'NetworkPolicy' || o.apiVersion !== 'networking.k8s.io/v1') continue;
    const [label, value] = Object.entries(createdByLabel)[0]!;
    if (o.metadata?.labels?.[label] !== value) continue;
    const { name, namespace } = o.metadata ?? {};
    if (typeof name !== 'string' || typeof namespace !== 'string') {
      streams.stderr(`warning: ${where}: skipped: a NetworkPolicy without metadata.name and metadata.namespace\n`);
      continue;
    }
    const types = Array.isArray(o.spec?.policyTypes) ? (o.spec.policyTypes as unknown[]) : [];
    const direction = types.includes('Egress') && !types.includes('Ingress') ? 'Egress' : 'Ingress';
    const rules = direction === 'Ingress'
      ? (o.spec?.ingress ?? []).map((r) => ({ peers: r.from ?? [], ports: r.ports ?? [] }))
      : (o.spec?.egress ?? []).map((r) => ({ peers: r.to ?? [], ports: r.ports ?? [] }));
    policies.push({ source, namespace, name, direction, rules });
  }
  return policies;
}
