import { stringify } from 'yaml';
import { isoSeconds } from '../../../operator/core/evidence.js';
import { kustomizationFile } from '../directory-layout.js';
import { compare } from '../selection.js';
import type { PlannedPolicy, PolicyPeer, PolicyRule, SkippedPolicy } from './plan-policies.js';
import { describeWorkload } from './policy-facts.js';

/** The label every exported NetworkPolicy carries, so that a user can find (and prune) them. */
export const createdByLabel = { 'app.kubernetes.io/created-by': 'kubectl-netmap' } as const;

/** A networking.k8s.io/v1 NetworkPolicy with its keys in kubectl's order. */
export function networkPolicyObject(policy: PlannedPolicy): Record<string, unknown> {
  const rules = policy.rules.map((rule) => ruleObject(rule, policy.direction === 'Ingress' ? 'from' : 'to'));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: policy.name, namespace: policy.namespace, labels: { ...createdByLabel } },
    spec: {
      podSelector: policy.podSelector,
      policyTypes: [policy.direction],
      [policy.direction === 'Ingress' ? 'ingress' : 'egress']: rules,
    },
  };
}

function ruleObject(rule: PolicyRule, side: 'from' | 'to'): Record<string, unknown> {
  // No peers: every destination (only the DNS rule when the cluster DNS was not found).
  return {
    ...(rule.peers.length > 0 ? { [side]: rule.peers.map(peerObject) } : {}),
    ports: rule.ports.map((p) => ({ protocol: p.protocol, port: p.port })),
  };
}

function peerObject(peer: PolicyPeer): Record<string, unknown> {
  if (peer.ipBlock) return { ipBlock: { cidr: peer.ipBlock.cidr } };
  return { ...(peer.namespaceSelector ? { namespaceSelector: peer.namespaceSelector } : {}), ...(peer.podSelector ? { podSelector: peer.podSelector } : {}) };
}

/** Comment lines naming what the policy is for and the evidence window it was made from. */
export function headerComment(policy: PlannedPolicy): string {
  const window = policy.window ? `${isoSeconds(policy.window.from)} .. ${isoSeconds(policy.window.to)}` : 'unknown (no evidence annotation)';
  return [
    `# ${policy.direction} of ${describeWorkload(policy.workload)}: made by kubectl netmap export --format networkpolicy`,
    `# from the traffic network-mapper observed ${window}.`,
  ]
    .map((line) => `${line}\n`)
    .join('');
}

export function policyDocument(policy: PlannedPolicy): string {
  return `${headerComment(policy)}${stringify(networkPolicyObject(policy), { lineWidth: 0 })}`;
}

/** Every policy as one YAML stream, in plan order: the same map gives the same bytes. */
export function renderPolicies(policies: readonly PlannedPolicy[]): string {
  return policies.map(policyDocument).join('---\n');
}

/** `<policy-name>.<namespace>.yaml` per policy, and a kustomization.yaml listing them. */
export function policyDirectoryLayout(policies: readonly PlannedPolicy[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const policy of policies) files.set(`${policy.name}.${policy.namespace}.yaml`, policyDocument(policy));
  const resources = [...files.keys()].sort(compare);
  files.set(kustomizationFile, stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }, { lineWidth: 0 }));
  return files;
}

export function renderSkipped(skipped: readonly SkippedPolicy[]): string {
  return skipped.map((s) => `skipped: no ${s.direction.toLowerCase()} policy for ${describeWorkload(s.workload)}: ${s.reason}\n`).join('');
}
