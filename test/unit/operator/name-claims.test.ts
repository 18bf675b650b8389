import { expect } from 'chai';
import { NameClaims } from '../../../src/operator/core/name-claims.js';

const deployment = { name: 'web', kind: 'Deployment' };
const cronJob = { name: 'web', kind: 'CronJob' };
const never = (): boolean => false;
const always = (): boolean => true;

describe('NameClaims: names planned but not yet in the cache', () => {
  it('shows a name another client claimed as taken, until the cache has the object', () => {
    const claims = new NameClaims();
    claims.claim('deploy', deployment, 'shop', 'web');
    expect(claims.takenBy('shop', 'cron', never, always)).to.deep.equal([{ namespace: 'shop', name: 'web', managed: true, spec: { workload: deployment, targets: [] }, annotations: {} }]);
    expect(claims.takenBy('shop', 'deploy', never, always), 'not taken from its own client').to.deep.equal([]);
    expect(claims.takenBy('shop', 'cron', (name) => name === 'web', always), 'the cache shows it now').to.deep.equal([]);
    expect(claims.takenBy('other', 'cron', never, always)).to.deep.equal([]);
  });

  it('keeps one claim per client, and drops claims with their client or once the store let the client go', () => {
    const claims = new NameClaims();
    claims.claim('cron', cronJob, 'shop', 'web');
    claims.claim('cron', cronJob, 'shop', 'web-cronjob-1a2b');
    expect(claims.takenBy('shop', 'deploy', never, always).map((c) => c.name)).to.deep.equal(['web-cronjob-1a2b']);
    claims.release('cron');
    expect(claims.takenBy('shop', 'deploy', never, always)).to.deep.equal([]);
    claims.claim('cron', cronJob, 'shop', 'web');
    expect(claims.takenBy('shop', 'deploy', never, (client) => client !== 'cron')).to.deep.equal([]);
    expect(claims.takenBy('shop', 'deploy', never, always), 'dropped for good').to.deep.equal([]);
  });
});
