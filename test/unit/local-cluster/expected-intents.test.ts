import { expect } from 'chai';
import { missingIntents, targetKey, type ObservedIntents } from '../../support/local-cluster/expected-intents.js';

const observed: ObservedIntents[] = [{
  namespace: 'shop', name: 'frontend', createdAt: '2026-11-26T00:00:00Z',
  spec: { workload: { name: 'frontend', kind: 'Deployment' }, targets: [
    { kubernetes: { name: 'cart', kind: 'Deployment' } },
    { service: { name: 'kubernetes.default' } },
    { internet: { domains: ['api.example'], ports: [443] } },
  ] },
}];

describe('local cluster convergence check', () => {
  it('names targets by kind, name and (for the internet) domains and ports', () => {
    expect(observed[0]!.spec.targets.map(targetKey)).to.deep.equal(['kubernetes:cart#Deployment', 'service:kubernetes.default', 'internet:api.example:443']);
  });

  it('is converged when every expected target is there (extra targets are fine)', () => {
    expect(missingIntents([{ namespace: 'shop', workload: 'frontend', kind: 'Deployment', targets: ['kubernetes:cart#Deployment'] }], observed)).to.deep.equal([]);
  });

  it('lists a missing object, a wrong kind and missing targets, one line each', () => {
    expect(missingIntents([
      { namespace: 'shop', workload: 'cart', kind: 'Deployment', targets: ['kubernetes:db#StatefulSet'] },
      { namespace: 'shop', workload: 'frontend', kind: 'StatefulSet', targets: ['kubernetes:checkout#Deployment', 'service:kubernetes.default'] },
    ], observed)).to.deep.equal([
      'cart (Deployment) in shop: no ClientIntents yet (expected kubernetes:db#StatefulSet)',
      'frontend (StatefulSet) in shop: kind is Deployment',
      'frontend (StatefulSet) in shop: missing targets kubernetes:checkout#Deployment',
    ]);
  });
});
