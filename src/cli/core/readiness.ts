import { decodeEvidence, evidenceAnnotation, isoSeconds } from '../../operator/core/evidence.js';
import { isManaged, type IntentsObject } from './intents-object.js';
import { describeTarget } from './list-format.js';
import type { WorkloadRef } from './network-policy/policy-facts.js';
import { compare } from './selection.js';
import { viewTarget } from './target-view.js';
import { fromIntentsTarget, targetKey } from '../../operator/core/target-ref.js';
import type { IntentsTarget } from '../../crds/client-intents.js';

/** The default stable period before a workload is ready to enforce: 7 days (chart value readiness.stableFor). */
export const defaultStableForMs = 7 * 24 * 3_600_000;
/** The operator Deployment's annotation carrying the chart's readiness.stableFor, read by the CLI. */
export const stableForAnnotation = 'netmap.dev/readiness-stable-for';

/** Whether a client's observed calls have stopped changing for the stable period. */
export interface Readiness {
  readonly workload: WorkloadRef;
  readonly ready: boolean;
  /** When the last new target or port was first seen; absent when nothing was recorded with evidence. */
  readonly learnedAt?: number;
  /** What was new then: `target cart in namespace shop`, `port 9090 of cart in namespace shop`. */
  readonly lastNew?: string;
  /** One sentence: why it is ready, or why it is still learning. */
  readonly reason: string;
}

/**
 * Per client workload of network-mapper's ClientIntents: the time since its last new target or
 * port (from the evidence annotation's first-seen times), ready when at least `stableForMs`.
 */
export function readinessOf(objects: readonly IntentsObject[], now: number, stableForMs: number): Readiness[] {
  const out: Readiness[] = [];
  for (const object of objects.filter(isManaged)) {
    const workload: WorkloadRef = { namespace: object.namespace, ...object.workload };
    const evidence = decodeEvidence(object.annotations[evidenceAnnotation]);
    let learnedAt: number | undefined;
    let lastNew: string | undefined;
    const consider = (at: number, what: string): void => {
      // A tie keeps the first: a target before its ports, targets in the spec's (sorted) order.
      if (learnedAt === undefined || at > learnedAt) {
        learnedAt = at;
        lastNew = what;
      }
    };
    for (const raw of object.targets) {
      const text = describeTarget(viewTarget(raw, object.namespace));
      for (const { ref } of fromIntentsTarget(raw as IntentsTarget)) {
        const e = evidence.get(targetKey(ref));
        if (!e) continue;
        const name = ref.type === 'internet' ? `internet: ${ref.domain}` : text;
        consider(e.firstSeen, `target ${name}`);
        for (const [port, seen] of e.ports ?? []) consider(seen.firstSeen, `port ${port} of ${name}`);
      }
    }
    if (learnedAt === undefined) {
      out.push({ workload, ready: false, reason: 'still learning: no evidence recorded yet' });
      continue;
    }
    const age = now - learnedAt;
    const ready = age >= stableForMs;
    const reason = ready
      ? `ready: nothing new for ${formatAge(age)} (last new: ${lastNew} at ${isoSeconds(learnedAt)})`
      : `still learning: new ${lastNew} ${formatAge(age)} ago (stable after ${formatAge(stableForMs)})`;
    out.push({ workload, ready, learnedAt, lastNew: lastNew!, reason });
  }
  return out.sort((a, b) => compare(a.workload.namespace, b.workload.namespace) || compare(a.workload.name, b.workload.name) || compare(a.workload.kind ?? '', b.workload.kind ?? ''));
}

/** A CronJob as readiness needs it: when it last ran (status.lastScheduleTime). */
export interface CronJobFacts {
  readonly namespace: string;
  readonly name: string;
  readonly lastScheduleTime?: number;
  readonly suspended: boolean;
}

/**
 * CronJobs that have not run since the mapper started (the operator Deployment's creation) and
 * so have no ClientIntents yet: their calls are unknown, so they are still learning. A CronJob
 * with a ClientIntents is judged by readinessOf like any client.
 */
export function cronJobsNotRun(cronJobs: readonly CronJobFacts[], clients: readonly Readiness[], mapperSince: number): Readiness[] {
  const known = new Set(clients.map((c) => `${c.workload.namespace}/${c.workload.name}/${c.workload.kind ?? ''}`));
  return cronJobs
    .filter((c) => !known.has(`${c.namespace}/${c.name}/CronJob`) && (c.lastScheduleTime === undefined || c.lastScheduleTime < mapperSince))
    .map((c) => {
      const last = c.lastScheduleTime === undefined ? 'never run' : `last run ${isoSeconds(c.lastScheduleTime)}`;
      return {
        workload: { namespace: c.namespace, name: c.name, kind: 'CronJob' },
        ready: false,
        reason: `still learning: a CronJob that has not run since the mapper started at ${isoSeconds(mapperSince)} (${last}${c.suspended ? ', suspended' : ''})`,
      };
    });
}

/** Clients and not-run CronJobs together, in the order readinessOf gives. */
export function withCronJobs(clients: readonly Readiness[], notRun: readonly Readiness[]): Readiness[] {
  return [...clients, ...notRun].sort((a, b) => compare(a.workload.namespace, b.workload.namespace) || compare(a.workload.name, b.workload.name) || compare(a.workload.kind ?? '', b.workload.kind ?? ''));
}

/** `3d4h`, `2h5m`, `45s`: the two largest units. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const units: [string, number][] = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    // The largest unit that fits, then the next one down, even when that is 0 (`3d0h`).
    if (parts.length > 0 || rest >= size || unit === 's') {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join('');
}

/** A duration as the chart and --stable-for write it: 7d, 36h, 90m, 600s (or seconds alone). */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+)(d|h|m|s)?$/.exec(value.trim());
  if (!match) return undefined;
  const size = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[(match[2] ?? 's') as 'd' | 'h' | 'm' | 's'];
  const ms = Number(match[1]) * size;
  return ms > 0 ? ms : undefined;
}

/** `list --readiness`: one line per client workload, ready first within each namespace. */
export function renderReadiness(readiness: readonly Readiness[]): string {
  return readiness.map((r) => `${r.workload.name} in namespace ${r.workload.namespace}${r.workload.kind ? ` (${r.workload.kind})` : ''}: ${r.reason}\n`).join('');
}
