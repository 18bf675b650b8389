import { observationBounds } from '../../crds/bounds.js';
import { networkObservationSpec, type NetworkObservationSpec } from '../../crds/network-observation.js';

/** A NetworkObservation's spec, read: either usable, or the reason it is Invalid (terminal). */
export type ReadObservation = { readonly spec: NetworkObservationSpec; readonly problem?: undefined } | { readonly spec?: undefined; readonly problem: string };

/** The schema, then the checks it cannot express: windows and records that end before they start. */
export function readObservation(spec: unknown): ReadObservation {
  const parsed = networkObservationSpec.safeParse(spec);
  if (!parsed.success) return { problem: invalid(parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')) };
  const problem = semanticProblem(parsed.data);
  return problem ? { problem: invalid(problem) } : { spec: parsed.data };
}

function invalid(problem: string): string {
  return `invalid NetworkObservation: ${problem}`.slice(0, observationBounds.messageLength);
}

function semanticProblem(spec: NetworkObservationSpec): string | undefined {
  if (Date.parse(spec.windowEnd) < Date.parse(spec.windowStart)) return 'windowEnd is before windowStart';
  const bad = [...spec.dnsAnswers, ...spec.connections].findIndex((r) => Date.parse(r.lastSeen) < Date.parse(r.firstSeen));
  if (bad >= 0) return `record ${bad}: lastSeen is before firstSeen`;
  return undefined;
}

/**
 * When a window may be resolved: `settleMs` after it ends. The pods a window names exist by the
 * time it ends; the API server's creation time of the object also bounds it, so a sniffer whose
 * clock runs ahead cannot hold an object back.
 */
export function settleAt(windowEnd: string, createdAt: number | undefined, settleMs: number): number {
  const end = Date.parse(windowEnd);
  return (createdAt === undefined ? end : Math.min(end, createdAt)) + settleMs;
}

/** When a Processed or Invalid observation is deleted: `retentionMs` after it was marked (now, if the mark cannot be read). */
export function deleteAt(processedAt: string | undefined, now: number, retentionMs: number): number {
  return (Date.parse(processedAt ?? '') || now) + retentionMs;
}
