import { expect } from 'chai';
import { DeliveryTracker } from '../../../src/operator/core/delivery-tracker.js';

describe('DeliveryTracker: an observation is delivered once every client it changed is written', () => {
  it('waits for each changed client, then reports the observation delivered', () => {
    const t = new DeliveryTracker();
    expect(t.state('obs-1')).to.equal('unknown');
    t.resolved('obs-1', ['web', 'api']);
    t.resolved('obs-2', ['api']);
    expect(t.state('obs-1')).to.equal('waiting');
    expect(t.written('web')).to.deep.equal([]);
    expect(t.written('api').sort()).to.deep.equal(['obs-1', 'obs-2']);
    expect(t.state('obs-1')).to.equal('delivered');
    expect(t.written('api')).to.deep.equal([]);
  });

  it('an observation that changed nothing is delivered at once', () => {
    const t = new DeliveryTracker();
    t.resolved('obs', []);
    expect(t.state('obs')).to.equal('delivered');
  });

  it('forgets marked observations and everything on losing the lead', () => {
    const t = new DeliveryTracker();
    t.resolved('obs-1', ['web']);
    t.forget('obs-1');
    expect(t.state('obs-1')).to.equal('unknown');
    expect(t.pendingClients()).to.deep.equal([]);
    t.resolved('obs-2', ['web']);
    t.clear();
    expect(t.size).to.equal(0);
    expect(t.written('web')).to.deep.equal([]);
  });
});
