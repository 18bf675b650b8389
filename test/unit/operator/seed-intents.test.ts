import { expect } from 'chai';
import { seedSourcesFrom } from '../../../src/operator/core/seed-intents.js';
import { IntentsStore } from '../../../src/operator/core/intents-store.js';

const managed = { 'app.kubernetes.io/managed-by': 'network-mapper' };
const spec = { workload: { name: 'web', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'api', kind: 'Deployment' } }] };

describe('seedSourcesFrom: what a new leader rebuilds its store from', () => {
  it('takes our ClientIntents whose spec parses, with their resolvedIPs, and leaves users\' objects alone', () => {
    const { seeds, unreadable } = seedSourcesFrom([
      { metadata: { namespace: 'shop', name: 'web', labels: managed }, spec, status: { resolvedIPs: [{ dns: 'api.example', ips: ['203.0.113.7'] }] } },
      { metadata: { namespace: 'shop', name: 'by-hand' }, spec },
      { metadata: { namespace: 'shop', name: 'other-tool', labels: { 'app.kubernetes.io/managed-by': 'someone-else' } }, spec },
    ]);
    expect(unreadable).to.deep.equal([]);
    expect(seeds.map((s) => [s.namespace, s.objectName, s.spec.workload.name, s.resolvedIPs])).to.deep.equal([['shop', 'web', 'web', [{ dns: 'api.example', ips: ['203.0.113.7'] }]]]);
    expect(seeds[0]!.evidence.size).to.equal(0);
  });

  it('reports ours with a spec it cannot read (not seeded: the next write replaces it)', () => {
    const { seeds, unreadable } = seedSourcesFrom([{ metadata: { namespace: 'shop', name: 'broken', labels: managed }, spec: { workload: {} } }]);
    expect(seeds).to.deep.equal([]);
    expect(unreadable).to.deep.equal([{ namespace: 'shop', name: 'broken' }]);
  });

  it('seeds a store that then desires the same spec (so a restart writes nothing)', () => {
    const store = new IntentsStore(1024);
    const [seed] = seedSourcesFrom([{ metadata: { namespace: 'shop', name: 'web', labels: managed }, spec }]).seeds;
    const key = store.seed(seed!, 1_000_000);
    expect(store.desired(key)?.spec).to.deep.equal(spec);
  });
});
