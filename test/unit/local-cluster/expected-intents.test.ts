import { expect } from 'chai';
import { mapDifferences, targetKey, type ObservedIntents } from '../../support/local-cluster/expected-intents.js';

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

  it('names HTTP paths (by path, methods sorted) and Kafka topics (by name, operations sorted) exactly', () => {
    expect(targetKey({ kubernetes: { name: 'api', kind: 'Deployment', http: [{ path: '/z', methods: ['POST', 'GET'] }, { path: '/a/{*}', methods: ['GET'] }] } }))
      .to.equal('kubernetes:api#Deployment http[GET /a/{*}; GET,POST /z]');
    expect(targetKey({ kafka: { name: 'kafka.kafka', topics: [{ name: 'shipping', operations: ['produce', 'describe'] }, { name: 'orders', operations: ['consume'] }] } }))
      .to.equal('kafka:kafka.kafka topics[orders: consume; shipping: describe,produce]');
  });

  it('is converged when the map is exactly the expected one', () => {
    expect(mapDifferences([{ namespace: 'shop', workload: 'frontend', kind: 'Deployment', targets: ['kubernetes:cart#Deployment', 'service:kubernetes.default', 'internet:api.example:443'] }], observed)).to.deep.equal([]);
  });

  it('lists a missing object, a wrong kind, missing and unexpected targets and unexpected objects, one line each', () => {
    const coredns: ObservedIntents = {
      namespace: 'kube-system', name: 'coredns', createdAt: '2026-11-26T00:00:00Z',
      spec: { workload: { name: 'coredns', kind: 'Deployment' }, targets: [{ internet: { domains: ['api.example'] } }] },
    };
    expect(mapDifferences([
      { namespace: 'shop', workload: 'cart', kind: 'Deployment', targets: ['kubernetes:db#StatefulSet'] },
      { namespace: 'shop', workload: 'frontend', kind: 'StatefulSet', targets: ['kubernetes:checkout#Deployment', 'service:kubernetes.default'] },
    ], [...observed, coredns])).to.deep.equal([
      'cart (Deployment) in shop: no ClientIntents yet (expected kubernetes:db#StatefulSet)',
      'frontend (StatefulSet) in shop: kind is Deployment',
      'frontend (StatefulSet) in shop: missing targets kubernetes:checkout#Deployment',
      'frontend (StatefulSet) in shop: unexpected targets kubernetes:cart#Deployment, internet:api.example:443',
      'coredns in kube-system: unexpected ClientIntents (targets internet:api.example:)',
    ]);
  });
});
