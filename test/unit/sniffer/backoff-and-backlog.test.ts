import { expect } from 'chai';
import { backoffDelayMs } from '../../../src/sniffer/core/backoff.js';
import { countUnprocessed, isUnprocessed } from '../../../src/sniffer/core/backlog.js';

describe('backoffDelayMs', () => {
  const options = { initialMs: 100, maxMs: 5_000 };

  it('doubles per failure, within [ceiling/2, ceiling]', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, options, 0))).to.deep.equal([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, options, 0.999999))).to.deep.equal([100, 200, 400, 800]);
  });

  it('is capped and never overflows', () => {
    expect(backoffDelayMs(10, options, 0.999999)).to.equal(5_000);
    expect(backoffDelayMs(10_000, options, 0.5)).to.equal(3_750);
  });
});

describe('backlog', () => {
  it('counts objects without a phase or still Pending as unprocessed', () => {
    expect(isUnprocessed({})).to.equal(true);
    expect(isUnprocessed({ status: {} })).to.equal(true);
    expect(isUnprocessed({ status: { phase: 'Pending' } })).to.equal(true);
    expect(isUnprocessed({ status: { phase: 'Processed' } })).to.equal(false);
    expect(isUnprocessed({ status: { phase: 'Invalid' } })).to.equal(false);
    expect(countUnprocessed([{}, { status: { phase: 'Processed' } }, { status: { phase: 'Pending' } }])).to.equal(2);
  });
});
