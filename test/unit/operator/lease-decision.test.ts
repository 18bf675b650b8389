import { expect } from 'chai';
import { decideLease, leadershipDeadline, mayActAsLeader } from '../../../src/operator/core/lease-decision.js';

describe('leader acts only while its lease surely holds', () => {
  const lease = 15;

  it('acts from its renewal until two thirds of the lease duration, then stops', () => {
    expect(leadershipDeadline(1_000, lease)).to.equal(11_000);
    expect(mayActAsLeader(1_000, lease, 1_000)).to.equal(true);
    expect(mayActAsLeader(1_000, lease, 10_999)).to.equal(true);
    expect(mayActAsLeader(1_000, lease, 11_000)).to.equal(false);
    expect(mayActAsLeader(1_000, lease, 60_000)).to.equal(false);
  });

  it('never acts without a successful renewal', () => {
    expect(mayActAsLeader(undefined, lease, 0)).to.equal(false);
  });

  it('stops before any other candidate may take the lease over', () => {
    const renewedAt = 5_000;
    // The other candidate reads the renewTime we wrote (stamped when the request was sent).
    const lease15 = { holderIdentity: 'a', renewTime: renewedAt, leaseDurationSeconds: lease };
    for (let now = renewedAt; now < renewedAt + 40_000; now += 250) {
      const otherMayTake = decideLease(lease15, 'b', now).action === 'acquire';
      if (otherMayTake) expect(mayActAsLeader(renewedAt, lease, now), `at ${now}`).to.equal(false);
    }
    // With a margin of a third of the duration for clock differences and writes on their way.
    expect(decideLease(lease15, 'b', leadershipDeadline(renewedAt, lease) + 4_999).action).to.equal('wait');
  });
});
