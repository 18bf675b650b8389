import { expect } from 'chai';
import { decideLease, leadershipDeadline, mayActAsLeader, observeLease, validateLeaseTimings, type LeaseState, type ObservedLease } from '../../../src/operator/core/lease-decision.js';

const timings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

describe('leader acts only while its lease surely holds', () => {
  it('acts from its renewal until the renew deadline, then stops', () => {
    expect(leadershipDeadline(1_000, timings.renewDeadlineMs)).to.equal(11_000);
    expect(mayActAsLeader(1_000, timings.renewDeadlineMs, 1_000)).to.equal(true);
    expect(mayActAsLeader(1_000, timings.renewDeadlineMs, 10_999)).to.equal(true);
    expect(mayActAsLeader(1_000, timings.renewDeadlineMs, 11_000)).to.equal(false);
    expect(mayActAsLeader(1_000, timings.renewDeadlineMs, 60_000)).to.equal(false);
  });

  it('never acts without a successful renewal', () => {
    expect(mayActAsLeader(undefined, timings.renewDeadlineMs, 0)).to.equal(false);
  });

  it('stops before any other candidate may take the lease over', () => {
    const renewedAt = 5_000;
    // The other candidate sees our renewal at the earliest when we send it.
    const lease15 = { holderIdentity: 'a', renewTime: renewedAt, leaseDurationSeconds: 15 };
    for (let now = renewedAt; now < renewedAt + 40_000; now += 250) {
      const otherMayTake = decideLease(lease15, 'b', now, renewedAt).action === 'acquire';
      if (otherMayTake) expect(mayActAsLeader(renewedAt, timings.renewDeadlineMs, now), `at ${now}`).to.equal(false);
    }
    // With a margin (lease duration - renew deadline) for writes on their way.
    expect(decideLease(lease15, 'b', leadershipDeadline(renewedAt, timings.renewDeadlineMs) + 4_999, renewedAt).action).to.equal('wait');
  });
});

describe('leader election under clock skew: only local elapsed time counts', () => {
  /** A holder whose clock is `skewMs` off ours renews every 2 s until `stopsAt` (our time). */
  function run(skewMs: number, stopsAt: number, until: number): { action: string; at: number }[] {
    const decisions: { action: string; at: number }[] = [];
    let observed: ObservedLease | undefined;
    let lease: LeaseState = { holderIdentity: 'skewed', renewTime: skewMs, leaseDurationSeconds: 15, leaseTransitions: 1 };
    for (let now = 0; now <= until; now += 500) {
      if (now % 2_000 === 0 && now < stopsAt) lease = { ...lease, renewTime: now + skewMs };
      observed = observeLease(observed, lease, now);
      decisions.push({ action: decideLease(lease, 'me', now, observed.at).action, at: now });
    }
    return decisions;
  }

  for (const [label, skewMs] of [['an hour behind', -3_600_000], ['a day ahead', 86_400_000], ['in step', 0]] as const) {
    it(`a holder ${label} that keeps renewing keeps the lease`, () => {
      expect(run(skewMs, Infinity, 120_000).filter((d) => d.action !== 'wait')).to.deep.equal([]);
    });

    it(`a holder ${label} that stops renewing loses it after the lease duration of local time`, () => {
      const stopsAt = 30_000;
      const lastRenewalSeen = 28_000;
      const firstAcquire = run(skewMs, stopsAt, 80_000).find((d) => d.action === 'acquire');
      expect(firstAcquire?.at).to.equal(lastRenewalSeen + 15_000 + 500);
    });
  }

  it('a candidate that starts late waits a whole lease duration from its first look', () => {
    const lease = { holderIdentity: 'gone', renewTime: 0, leaseDurationSeconds: 15 };
    const observed = observeLease(undefined, lease, 1_000_000);
    expect(decideLease(lease, 'me', 1_000_000, observed.at).action).to.equal('wait');
    expect(decideLease(lease, 'me', 1_015_001, observeLease(observed, lease, 1_015_001).at).action).to.equal('acquire');
  });

  it('validates LeaseDuration > RenewDeadline > 1.2 x RetryPeriod', () => {
    expect(() => validateLeaseTimings(timings)).to.not.throw();
    expect(() => validateLeaseTimings({ ...timings, renewDeadlineMs: 15_000 })).to.throw(/lease duration/);
    expect(() => validateLeaseTimings({ ...timings, retryPeriodMs: 8_400 })).to.throw(/1.2/);
    expect(() => validateLeaseTimings({ ...timings, retryPeriodMs: 8_000 })).to.not.throw();
    expect(() => validateLeaseTimings({ ...timings, retryPeriodMs: 0 })).to.throw(/positive/);
  });
});
