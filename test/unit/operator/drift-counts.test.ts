import { expect } from 'chai';
import { DriftCounts } from '../../../src/operator/core/drift-counts.js';

describe('DriftCounts', () => {
  it('sums per namespace, publishes only changes, and drops a client without drift', () => {
    const counts = new DriftCounts(10);
    expect(counts.set('shop/a', { namespace: 'shop', undeclared: 2, unobserved: 0 })).to.deep.equal([{ namespace: 'shop', undeclared: 2, unobserved: 0 }]);
    expect(counts.set('shop/b', { namespace: 'shop', undeclared: 1, unobserved: 3 })).to.deep.equal([{ namespace: 'shop', undeclared: 3, unobserved: 3 }]);
    expect(counts.set('shop/b', { namespace: 'shop', undeclared: 1, unobserved: 3 })).to.deep.equal([]);
    expect(counts.set('shop/a', { namespace: 'shop', undeclared: 0, unobserved: 0 })).to.deep.equal([{ namespace: 'shop', undeclared: 1, unobserved: 3 }]);
    expect(counts.set('shop/b', undefined)).to.deep.equal([{ namespace: 'shop', undeclared: 0, unobserved: 0 }]);
    expect(counts.set('shop/c', undefined)).to.deep.equal([]);
  });

  it('keeps at most its bound of clients, the oldest set going first', () => {
    const counts = new DriftCounts(2);
    counts.set('a/1', { namespace: 'a', undeclared: 1, unobserved: 0 });
    counts.set('a/2', { namespace: 'a', undeclared: 1, unobserved: 0 });
    counts.set('a/3', { namespace: 'a', undeclared: 1, unobserved: 0 });
    expect(counts.total('a').undeclared).to.equal(2);
  });

  it('publishes the new total of the namespace a client given up for the bound was in', () => {
    const counts = new DriftCounts(1);
    counts.set('shop/a', { namespace: 'shop', undeclared: 2, unobserved: 1 });
    expect(counts.set('billing/b', { namespace: 'billing', undeclared: 1, unobserved: 0 })).to.have.deep.members([
      { namespace: 'billing', undeclared: 1, unobserved: 0 },
      { namespace: 'shop', undeclared: 0, unobserved: 0 },
    ]);
  });

  it('moves a client whose namespace changed out of the old total', () => {
    const counts = new DriftCounts(10);
    counts.set('x', { namespace: 'old', undeclared: 1, unobserved: 0 });
    expect(counts.set('x', { namespace: 'new', undeclared: 1, unobserved: 0 })).to.have.deep.members([
      { namespace: 'new', undeclared: 1, unobserved: 0 },
      { namespace: 'old', undeclared: 0, unobserved: 0 },
    ]);
  });
});
