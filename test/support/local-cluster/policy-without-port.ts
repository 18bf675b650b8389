/** The parts of an exported NetworkPolicy this edit reads. */
export interface PolicyDocument {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly ingress?: readonly PolicyRuleDocument[];
    readonly egress?: readonly PolicyRuleDocument[];
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

interface PolicyRuleDocument {
  readonly from?: readonly PeerDocument[];
  readonly to?: readonly PeerDocument[];
  readonly ports?: readonly { readonly protocol?: string; readonly port?: number | string }[];
}

interface PeerDocument {
  readonly podSelector?: { readonly matchLabels?: Readonly<Record<string, string>> };
}

/**
 * The policy with `port` taken out of the rules whose peers select pods labelled `app=<app>`.
 * A rule left without ports is dropped: in NetworkPolicy an empty port list admits every port,
 * so "no port" has to be "no rule". Throws when no such rule holds the port (the edit would be a
 * no-op and the check after it meaningless).
 */
export function policyWithoutPort(policy: PolicyDocument, app: string, port: number): PolicyDocument {
  const direction = policy.spec.ingress ? 'ingress' : 'egress';
  const rules = policy.spec[direction] ?? [];
  let removed = false;
  const kept = rules.flatMap((rule) => {
    const peers = rule.from ?? rule.to ?? [];
    if (!peers.some((p) => p.podSelector?.matchLabels?.app === app)) return [rule];
    const ports = (rule.ports ?? []).filter((p) => p.port !== port);
    if (ports.length === (rule.ports ?? []).length) return [rule];
    removed = true;
    return ports.length > 0 ? [{ ...rule, ports }] : [];
  });
  if (!removed) throw new Error(`no ${direction} rule of ${policy.metadata.namespace}/${policy.metadata.name} admits app=${app} on port ${port}`);
  return { ...policy, spec: { ...policy.spec, [direction]: kept } };
}
