/** The part of a coordination.k8s.io/v1 Lease that leader election reads. */
export interface LeaseState {
  readonly holderIdentity?: string;
  readonly renewTime?: number;
  readonly leaseDurationSeconds?: number;
  readonly leaseTransitions?: number;
}

export type LeaseDecision =
  | { readonly action: 'renew' }
  | { readonly action: 'acquire'; readonly transitions: number }
  | { readonly action: 'wait'; readonly holder: string };

/**
 * Whether this candidate may hold the lease: it already holds it (renew), nobody holds it or
 * the holder let it lapse (acquire), or somebody else holds it (wait). The API server's
 * resourceVersion check makes the actual write safe when two candidates decide at once.
 */
export function decideLease(lease: LeaseState | undefined, me: string, now: number): LeaseDecision {
  if (!lease?.holderIdentity) return { action: 'acquire', transitions: lease?.leaseTransitions ?? 0 };
  if (lease.holderIdentity === me) return { action: 'renew' };
  const expires = (lease.renewTime ?? 0) + (lease.leaseDurationSeconds ?? 0) * 1000;
  if (now > expires) return { action: 'acquire', transitions: (lease.leaseTransitions ?? 0) + 1 };
  return { action: 'wait', holder: lease.holderIdentity };
}

/**
 * The share of the lease duration a leader acts on after its last successful renewal. The rest
 * is a margin for clock differences and for writes already on their way when it stops: another
 * candidate may take the lease only once the whole duration has passed since that renewal.
 */
export const leaderActsFor = 2 / 3;

/**
 * Until when a leader may write, given the time it sent its last successful renewal (its own
 * clock, taken before the request, so a slow answer only shortens the window). Checked before
 * every write and on a timer, so a leader whose renew loop is stalled stops on its own.
 */
export function leadershipDeadline(lastRenewSentAt: number, leaseDurationSeconds: number): number {
  return lastRenewSentAt + leaseDurationSeconds * 1000 * leaderActsFor;
}

export function mayActAsLeader(lastRenewSentAt: number | undefined, leaseDurationSeconds: number, now: number): boolean {
  return lastRenewSentAt !== undefined && now < leadershipDeadline(lastRenewSentAt, leaseDurationSeconds);
}
