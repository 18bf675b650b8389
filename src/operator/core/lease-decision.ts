/** The part of a coordination.k8s.io/v1 Lease that leader election reads. */
export interface LeaseState {
  readonly holderIdentity?: string;
  /** The holder's clock: only compared for change, never against ours. */
  readonly renewTime?: number;
  readonly leaseDurationSeconds?: number;
  readonly leaseTransitions?: number;
}

export type LeaseDecision =
  | { readonly action: 'renew' }
  | { readonly action: 'acquire'; readonly transitions: number }
  | { readonly action: 'wait'; readonly holder: string };

/** What this candidate last saw of the record, and when (its own clock). */
export interface ObservedLease {
  readonly record: string;
  readonly at: number;
}

/**
 * Notes when the record changed. Another node's timestamps tell us only *that* it renewed, not
 * when by our clock: so the record's own times are compared for change and the moment we saw
 * the change is what counts (client-go's observedTime). Tolerates any clock offset between
 * nodes; only a difference in clock *rate* could matter.
 */
export function observeLease(previous: ObservedLease | undefined, lease: LeaseState | undefined, now: number): ObservedLease {
  const record = JSON.stringify([lease?.holderIdentity ?? null, lease?.renewTime ?? null, lease?.leaseDurationSeconds ?? null, lease?.leaseTransitions ?? null]);
  return previous?.record === record ? previous : { record, at: now };
}

/**
 * Whether this candidate may hold the lease: it already holds it (renew), nobody holds it or
 * the holder has not renewed for a whole lease duration of our own time since we saw its last
 * renewal (acquire), or somebody else holds it (wait). The API server's resourceVersion check
 * makes the actual write safe when two candidates decide at once.
 */
export function decideLease(lease: LeaseState | undefined, me: string, now: number, observedAt: number): LeaseDecision {
  if (!lease?.holderIdentity) return { action: 'acquire', transitions: lease?.leaseTransitions ?? 0 };
  if (lease.holderIdentity === me) return { action: 'renew' };
  if (now > observedAt + (lease.leaseDurationSeconds ?? 0) * 1000) return { action: 'acquire', transitions: (lease.leaseTransitions ?? 0) + 1 };
  return { action: 'wait', holder: lease.holderIdentity };
}

export interface LeaseTimings {
  /** How long a candidate waits, since it saw the record change, before taking the lease. */
  readonly leaseDurationMs: number;
  /** How long a leader acts on one renewal (from the moment it sent it). */
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export const defaultLeaseTimings: LeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/**
 * The order client-go requires: a leader stops (renew deadline) before anybody may take over
 * (lease duration), and gets more than one retry within its deadline.
 */
export function validateLeaseTimings(t: LeaseTimings): LeaseTimings {
  if (!(t.leaseDurationMs > 0 && t.renewDeadlineMs > 0 && t.retryPeriodMs > 0)) throw new Error('leader election: durations must be positive');
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) throw new Error('leader election: lease duration must be greater than the renew deadline');
  if (!(t.renewDeadlineMs > 1.2 * t.retryPeriodMs)) throw new Error('leader election: renew deadline must be greater than 1.2 x the retry period');
  if (t.leaseDurationMs % 1000 !== 0) throw new Error('leader election: lease duration must be whole seconds (the Lease stores seconds)');
  return t;
}

/**
 * Until when a leader may write, given the time it sent its last successful renewal (its own
 * clock, taken before the request, so a slow answer only shortens the window). Checked before
 * every write and on a timer, so a leader whose renew loop is stalled stops on its own. The rest
 * of the lease duration is a margin for writes already on their way.
 */
export function leadershipDeadline(lastRenewSentAt: number, renewDeadlineMs: number): number {
  return lastRenewSentAt + renewDeadlineMs;
}

export function mayActAsLeader(lastRenewSentAt: number | undefined, renewDeadlineMs: number, now: number): boolean {
  return lastRenewSentAt !== undefined && now < leadershipDeadline(lastRenewSentAt, renewDeadlineMs);
}
