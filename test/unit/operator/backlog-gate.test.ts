import { expect } from 'chai';
import { BacklogGate } from '../../../src/operator/core/backlog-gate.js';

describe('BacklogGate: client writes wait for the observation backlog', () => {
  it('writes at once when nothing waits', () => {
    expect(new BacklogGate(10_000).hold('web', 0)).to.deep.equal({ hold: false });
  });

  it('holds clients while observations wait and releases them all together when the last is resolved', () => {
    const gate = new BacklogGate(10_000);
    gate.setWaiting('obs-1', true);
    gate.setWaiting('obs-2', true);
    gate.setWaiting('obs-2', true);
    expect(gate.waitingCount).to.equal(2);
    expect(gate.hold('web', 0)).to.deep.equal({ hold: true, releaseAt: 10_000 });
    expect(gate.hold('api', 5)).to.deep.equal({ hold: true });
    expect(gate.hold('web', 6)).to.deep.equal({ hold: true });
    expect(gate.setWaiting('obs-1', false)).to.deep.equal([]);
    expect(gate.setWaiting('obs-unknown', false)).to.deep.equal([]);
    expect(gate.setWaiting('obs-2', false)).to.deep.equal(['web', 'api']);
    expect(gate.heldCount).to.equal(0);
    expect(gate.hold('web', 7)).to.deep.equal({ hold: false });
  });

  it('a stuck backlog holds writes back at most maxHoldMs: the released clients are written, not held again', () => {
    const gate = new BacklogGate(10_000);
    gate.setWaiting('stuck', true);
    gate.hold('web', 1_000);
    expect(gate.lapse(10_999)).to.deep.equal([]);
    expect(gate.hold('api', 10_999)).to.deep.equal({ hold: true });
    expect(gate.lapse(11_000)).to.deep.equal(['web', 'api']);
    // The reconcile that released them goes on to write them (a new window here held them for
    // ever while the backlog stays stuck), and so does every other client until it clears.
    expect(gate.hold('web', 11_000)).to.deep.equal({ hold: false });
    expect(gate.hold('db', 40_000)).to.deep.equal({ hold: false });
    expect(gate.lapse(40_000)).to.deep.equal([]);
  });

  it('holds again once a backlog that lapsed has cleared and a new one builds up', () => {
    const gate = new BacklogGate(10_000);
    gate.setWaiting('stuck', true);
    gate.hold('web', 0);
    expect(gate.lapse(10_000)).to.deep.equal(['web']);
    expect(gate.setWaiting('stuck', false)).to.deep.equal([]);
    gate.setWaiting('next', true);
    expect(gate.hold('web', 12_000)).to.deep.equal({ hold: true, releaseAt: 22_000 });
  });

  it('shutting down releases what is held and holds nothing more', () => {
    const gate = new BacklogGate(10_000);
    gate.setWaiting('obs', true);
    gate.hold('web', 0);
    expect(gate.flush()).to.deep.equal(['web']);
    expect(gate.hold('api', 1)).to.deep.equal({ hold: false });
  });
});
