import { compare } from '../selection.js';
import { canonicalSelector, commonLabels, isEmptySelector, selectorMatches, type LabelSelector } from './label-selector.js';
import { describeWorkload, workloadKey, type ClusterFacts, type PodFacts, type WorkloadRef } from './policy-facts.js';

export type SelectorResult = { ok: true; selector: LabelSelector } | { ok: false; reason: string };

/**
 * Which selector picks out exactly a workload's pods: its own (the root object's), else the
 * labels all its pods share; checked against every pod read in its namespace, so a selector
 * that also matches another workload's pod is refused, as is a hostNetwork workload (a
 * NetworkPolicy does not apply to it) or one without labels.
 */
export class SelectorIndex {
  private readonly podsByNamespace = new Map<string, PodFacts[]>();
  private readonly own = new Map<string, LabelSelector>();
  private readonly cache = new Map<string, SelectorResult>();

  constructor(facts: ClusterFacts) {
    // By name, so that the pod a reason names does not depend on the order pods were read in.
    for (const pod of [...facts.pods].sort((a, b) => compare(a.name, b.name))) {
      const list = this.podsByNamespace.get(pod.namespace) ?? [];
      list.push(pod);
      this.podsByNamespace.set(pod.namespace, list);
    }
    for (const s of facts.selectors) this.own.set(workloadKey(s.workload), s.selector);
  }

  of(workload: WorkloadRef): SelectorResult {
    const key = workloadKey(workload);
    let found = this.cache.get(key);
    if (!found) this.cache.set(key, (found = this.compute(workload, key)));
    return found;
  }

  private compute(workload: WorkloadRef, key: string): SelectorResult {
    const inNamespace = this.podsByNamespace.get(workload.namespace) ?? [];
    const mine = inNamespace.filter((p) => workloadKey(p.workload) === key);
    if (mine.some((p) => p.hostNetwork)) return { ok: false, reason: 'its pods run on the host network, where a NetworkPolicy does not apply' };
    const own = this.own.get(key);
    if (!own && mine.length === 0) return { ok: false, reason: 'no pod of it was found to read labels from' };
    const selector = canonicalSelector(own ?? { matchLabels: commonLabels(mine) });
    if (isEmptySelector(selector)) return { ok: false, reason: workload.kind === 'Pod' ? 'a bare pod without labels' : 'its pods share no label' };
    const unmatched = mine.find((p) => !selectorMatches(selector, p.labels));
    if (unmatched) return { ok: false, reason: `its selector does not match its pod ${unmatched.name}` };
    const other = inNamespace.find((p) => workloadKey(p.workload) !== key && selectorMatches(selector, p.labels));
    if (other) return { ok: false, reason: `its selector also matches pod ${other.name} of ${describeWorkload(other.workload)}` };
    return { ok: true, selector };
  }
}
