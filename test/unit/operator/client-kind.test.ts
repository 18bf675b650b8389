import { expect } from 'chai';
import { IntentsStore, clientKeyOf } from '../../../src/operator/core/intents-store.js';
import { planClientIntents, type ApplyBody, type ExistingIntents } from '../../../src/operator/core/plan.js';
import { minute, t0 } from './fixtures.js';

const deployment = { namespace: 'shop', name: 'web', kind: 'Deployment' };
const cronJob = { namespace: 'shop', name: 'web', kind: 'CronJob' };
const opts = { now: t0 + minute, evidenceIntervalMs: 5 * minute };

function written(apply: ApplyBody): ExistingIntents {
  return { namespace: apply.metadata.namespace, name: apply.metadata.name, managed: true, spec: JSON.parse(JSON.stringify(apply.spec)), annotations: apply.metadata.annotations ?? {} };
}

describe('the client key includes the kind: a Deployment and a CronJob of one name', () => {
  function store(): IntentsStore {
    const s = new IntentsStore(1024);
    s.record(deployment, { type: 'kubernetes', name: 'cart', kind: 'Deployment' }, 'SYN', t0, t0);
    s.record(cronJob, { type: 'service', name: 'kubernetes.default' }, 'SYN', t0, t0);
    return s;
  }

  it('are two clients with their own targets and kinds', () => {
    const s = store();
    expect(s.clientKeys()).to.have.length(2);
    expect(s.desired(clientKeyOf('shop', 'web', 'Deployment'))?.spec).to.deep.equal({ workload: { name: 'web', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }] });
    expect(s.desired(clientKeyOf('shop', 'web', 'CronJob'))?.spec).to.deep.equal({ workload: { name: 'web', kind: 'CronJob' }, targets: [{ service: { name: 'kubernetes.default' } }] });
  });

  it('get two ClientIntents: the first keeps the name, the other adds its kind; neither flips', () => {
    const s = store();
    const first = planClientIntents(s.desired(clientKeyOf('shop', 'web', 'Deployment'))!, [], opts).apply!;
    expect(first.metadata.name).to.equal('web');
    const second = planClientIntents(s.desired(clientKeyOf('shop', 'web', 'CronJob'))!, [written(first)], opts).apply!;
    expect(second.metadata.name).to.equal('web-cronjob');
    expect(second.spec?.workload).to.deep.equal({ name: 'web', kind: 'CronJob' });
    const both = [written(first), written(second)];
    for (let round = 0; round < 3; round++) {
      expect(planClientIntents(s.desired(clientKeyOf('shop', 'web', 'Deployment'))!, both, opts)).to.deep.equal({});
      expect(planClientIntents(s.desired(clientKeyOf('shop', 'web', 'CronJob'))!, both, opts)).to.deep.equal({});
    }
  });

  it('keeps the names after a restart, whichever is seeded first', () => {
    const s = store();
    const first = planClientIntents(s.desired(clientKeyOf('shop', 'web', 'Deployment'))!, [], opts).apply!;
    const second = planClientIntents(s.desired(clientKeyOf('shop', 'web', 'CronJob'))!, [written(first)], opts).apply!;
    const rebuilt = new IntentsStore(1024);
    for (const object of [second, first]) rebuilt.seed({ namespace: 'shop', objectName: object.metadata.name, spec: object.spec!, evidence: new Map() }, opts.now);
    expect(rebuilt.clientKeys()).to.have.length(2);
    expect(rebuilt.desired(clientKeyOf('shop', 'web', 'CronJob'))?.objectName).to.equal('web-cronjob');
    expect(rebuilt.desired(clientKeyOf('shop', 'web', 'Deployment'))?.objectName).to.equal('web');
  });

  it("a user's ClientIntents for one kind does not silence the other kind", () => {
    const s = store();
    const theirs: ExistingIntents = { namespace: 'shop', name: 'web-intents', managed: false, spec: { workload: { name: 'web', kind: 'Deployment' }, targets: [] }, annotations: {} };
    expect(planClientIntents(s.desired(clientKeyOf('shop', 'web', 'Deployment'))!, [theirs], opts).event).to.not.equal(undefined);
    expect(planClientIntents(s.desired(clientKeyOf('shop', 'web', 'CronJob'))!, [theirs], opts).apply?.metadata.name).to.equal('web');
  });
});
