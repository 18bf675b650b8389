import { compare } from '../selection.js';
import type { LabelSelector } from './label-selector.js';
import type { PlannedPolicy } from './plan-policies.js';
import { describeWorkload } from './policy-facts.js';

/** A NetworkPolicy read from a directory (a committed `export --format networkpolicy`). */
export interface CommittedPolicy {
  readonly source: string;
  readonly namespace: string;
  readonly name: string;
  readonly direction: 'Ingress' | 'Egress';
  /** `ingress[].from` / `egress[].to` and their ports, as written. */
  readonly rules: readonly { readonly peers: readonly RawPeer[]; readonly ports: readonly { readonly protocol?: string; readonly port?: number | string }[] }[];
}

export interface RawPeer {
  readonly namespaceSelector?: LabelSelector;
  readonly podSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string };
}

/** One peer on one port: what a policy admits, the unit compared. */
export interface Admission {
  readonly peer: string;
  readonly port: string;
}

export interface PolicyDiff {
  readonly namespace: string;
  readonly name: string;
  /** The committed file, absent when no policy of that name is committed. */
  readonly committedIn?: string;
  /** What the policy is for, absent when it is no longer planned (nothing observed, or skipped). */
  readonly observed?: string;
  /** Observed, not admitted by the committed policy: blocked under enforcement. */
  readonly added: readonly Admission[];
  /** Admitted, not observed: a candidate to remove. */
  readonly removed: readonly Admission[];
}

export interface PoliciesDiff {
  readonly differ: boolean;
  readonly policies: readonly PolicyDiff[];
}

/**
 * The NetworkPolicies an export would write now against those committed, by namespace and
 * name: per policy, each (peer, port) it would admit that the committed one does not (a port
 * or a client new since the export), and each the committed one admits that was not observed.
 * Planned egress policies count only when some egress policy is committed.
 */
export function diffPolicies(planned: readonly PlannedPolicy[], committed: readonly CommittedPolicy[]): PoliciesDiff {
  const withEgress = committed.some((c) => c.direction === 'Egress');
  const entries = new Map<string, { namespace: string; name: string; planned?: PlannedPolicy; committed?: CommittedPolicy }>();
  for (const p of planned.filter((p) => withEgress || p.direction === 'Ingress')) entries.set(`${p.namespace}/${p.name}`, { namespace: p.namespace, name: p.name, planned: p });
  for (const c of committed) {
    const key = `${c.namespace}/${c.name}`;
    entries.set(key, { ...(entries.get(key) ?? { namespace: c.namespace, name: c.name }), committed: c });
  }
  const policies: PolicyDiff[] = [];
  for (const e of [...entries.values()].sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name))) {
    const now = e.planned ? admissions(e.planned.rules) : new Map<string, Admission>();
    const then = e.committed ? admissions(e.committed.rules) : new Map<string, Admission>();
    const added = [...now].filter(([k]) => !then.has(k)).map(([, a]) => a);
    const removed = [...then].filter(([k]) => !now.has(k)).map(([, a]) => a);
    if (added.length === 0 && removed.length === 0 && e.planned && e.committed) continue;
    policies.push({
      namespace: e.namespace,
      name: e.name,
      ...(e.committed ? { committedIn: e.committed.source } : {}),
      ...(e.planned ? { observed: `${e.planned.direction} of ${describeWorkload(e.planned.workload)}` } : {}),
      added,
      removed,
    });
  }
  return { differ: policies.length > 0, policies };
}

function admissions(rules: CommittedPolicy['rules']): Map<string, Admission> {
  const out = new Map<string, Admission>();
  for (const rule of rules) {
    const peers = rule.peers.length > 0 ? rule.peers.map(describePeer) : ['anywhere'];
    // A rule without ports admits every port: said so rather than compared as nothing.
    const ports = rule.ports.length > 0 ? rule.ports.map((p) => `${p.protocol ?? 'TCP'}/${p.port ?? 'any'}`) : ['any port'];
    for (const peer of peers) for (const port of ports) out.set(`${peer}\u0000${port}`, { peer, port });
  }
  return new Map([...out].sort(([a], [b]) => compare(a, b)));
}

function describePeer(peer: RawPeer): string {
  if (peer.ipBlock) return peer.ipBlock.cidr;
  const namespace = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
  const pods = peer.podSelector ? selectorText(peer.podSelector) : 'every pod';
  const where = namespace !== undefined ? ` in namespace ${namespace}` : peer.namespaceSelector ? ` in namespaces ${selectorText(peer.namespaceSelector)}` : '';
  return `${pods}${where}`;
}

function selectorText(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => compare(a, b)).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) parts.push(`${r.key} ${r.operator}${r.values ? ` (${[...r.values].sort().join(',')})` : ''}`);
  return parts.length > 0 ? parts.join(',') : 'every pod';
}

/** Text in the manner of `diff`: per policy, `+` observed but not admitted, `-` admitted but not observed. */
export function renderPoliciesDiff(diff: PoliciesDiff): string {
  return diff.policies
    .map((p) => {
      const lines = [`--- committed ${p.namespace}/${p.name}: ${p.committedIn ?? '(no policy committed)'}`, `+++ observed ${p.namespace}/${p.name}: ${p.observed ?? '(not planned now: nothing observed, or skipped)'}`];
      for (const a of p.added) lines.push(`+ ${a.peer} on ${a.port}: observed, not admitted; blocked under enforcement`);
      for (const r of p.removed) lines.push(`- ${r.peer} on ${r.port}: admitted, not observed; a candidate to remove`);
      return `${lines.join('\n')}\n`;
    })
    .join('');
}
