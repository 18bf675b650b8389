/** A Kubernetes label selector (metav1.LabelSelector), as NetworkPolicy peers and workloads use it. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly SelectorRequirement[];
}

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** Whether the selector matches these labels; an empty selector matches everything, as in Kubernetes. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const values = r.values ?? [];
    if (r.operator === 'In' && !(has && values.includes(labels[r.key]!))) return false;
    if (r.operator === 'NotIn' && has && values.includes(labels[r.key]!)) return false;
    if (r.operator === 'Exists' && !has) return false;
    if (r.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** Keys sorted, expressions by key then operator, values sorted: a stable rendering. */
export function canonicalSelector(selector: LabelSelector): LabelSelector {
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expressions = [...(selector.matchExpressions ?? [])]
    .map((r) => (r.values === undefined ? { key: r.key, operator: r.operator } : { key: r.key, operator: r.operator, values: [...r.values].sort() }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0));
  return {
    ...(labels.length > 0 ? { matchLabels: Object.fromEntries(labels) } : {}),
    ...(expressions.length > 0 ? { matchExpressions: expressions } : {}),
  };
}

/**
 * Labels that differ per pod, per rollout or per Job run: never part of a workload's selector
 * derived from its pods, or the policy would stop matching at the next rollout.
 */
const perInstanceLabels = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index',
]);

/** The labels every one of these pods carries with the same value, per-instance labels left out. */
export function commonLabels(pods: readonly { readonly labels: Readonly<Record<string, string>> }[]): Record<string, string> {
  if (pods.length === 0) return {};
  const [first, ...rest] = pods;
  return Object.fromEntries(Object.entries(first!.labels).filter(([key, value]) => !perInstanceLabels.has(key) && rest.every((p) => p.labels[key] === value)));
}
