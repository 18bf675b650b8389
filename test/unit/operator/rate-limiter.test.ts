import { expect } from 'chai';
import { ControllerRateLimiter } from '../../../src/operator/core/rate-limiter.js';

describe('ControllerRateLimiter', () => {
  it('backs each key off exponentially up to the cap; forget starts it over', () => {
    const limiter = new ControllerRateLimiter({ baseMs: 5, maxMs: 40, qps: 1000, burst: 1000 });
    expect([1, 2, 3, 4, 5].map(() => limiter.when('a', 0))).to.deep.equal([5, 10, 20, 40, 40]);
    expect(limiter.numRequeues('a')).to.equal(5);
    expect(limiter.when('b', 0)).to.equal(5);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).to.equal(0);
    expect(limiter.when('a', 0)).to.equal(5);
  });

  it('spreads many keys failing at once over the overall bucket', () => {
    const limiter = new ControllerRateLimiter({ baseMs: 5, maxMs: 1000, qps: 10, burst: 3 });
    const delays = Array.from({ length: 6 }, (_, i) => limiter.when(`key-${i}`, 0));
    // Three from the burst go after their own backoff; the rest wait for tokens at 10 per second.
    expect(delays).to.deep.equal([5, 5, 5, 100, 200, 300]);
    // Tokens come back with time.
    expect(limiter.when('later', 10_000)).to.equal(5);
  });

  it('rejects a bucket that could never refill', () => {
    expect(() => new ControllerRateLimiter({ baseMs: 5, maxMs: 10, qps: 0, burst: 1 })).to.throw(/qps/);
  });
});
