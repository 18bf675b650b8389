import { intentsBounds } from '../../../crds/bounds.js';
import type { TargetRef } from '../target-ref.js';

/**
 * Whether a new topic operation still fits its broker's `kafka` target: at most
 * `intentsBounds.topicsPerTarget` topics per broker (the schema's bound). Called only for a ref
 * the client does not hold yet, so the scan over its targets runs once per new target.
 */
export function kafkaTopicFits(ref: Extract<TargetRef, { type: 'kafka' }>, held: Iterable<{ readonly ref: TargetRef }>, maxTopics: number = intentsBounds.topicsPerTarget): boolean {
  const topics = new Set<string>();
  for (const { ref: other } of held) {
    if (other.type !== 'kafka' || other.name !== ref.name) continue;
    if (other.topic === ref.topic) return true;
    topics.add(other.topic);
  }
  return topics.size < maxTopics;
}
