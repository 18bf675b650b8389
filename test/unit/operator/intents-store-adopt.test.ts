import { expect } from 'chai';
import { IntentsStore, clientKeyOf } from '../../../src/operator/core/intents-store.js';
import { minute, t0 } from './fixtures.js';

const web = { namespace: 'shop', name: 'web', kind: 'Deployment' };
const api = { namespace: 'shop', name: 'api', kind: 'Deployment' };

describe('IntentsStore.adoptMissing: regaining the lead loses nothing resolved before', () => {
  it('keeps the seeded (written) targets and adds the unwritten ones and unwritten clients', () => {
    const before = new IntentsStore(1024);
    before.record(web, { type: 'kubernetes', name: 'cart', kind: 'Deployment' }, 'SYN', t0, t0 + minute);
    before.record(web, { type: 'kubernetes', name: 'db', kind: 'StatefulSet' }, 'SYN', t0 + minute, t0 + 2 * minute);
    before.record(api, { type: 'service', name: 'kubernetes.default' }, 'SocketScan', t0, t0);
    before.rememberDns(web, 'api.stripe.com', ['203.0.113.5'], t0 + 10 * minute);

    // Only web -> cart had been written when the lead was lost.
    const seeded = new IntentsStore(1024);
    const written = new Map([['kubernetes:cart#Deployment', { firstSeen: t0 - minute, lastSeen: t0, captures: new Set(['SYN'] as const) }]]);
    seeded.seed({ namespace: 'shop', objectName: 'web', spec: { workload: { name: 'web', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }] }, evidence: written }, t0 + 3 * minute);

    expect(seeded.adoptMissing(before, t0 + 3 * minute).sort()).to.deep.equal([clientKeyOf('shop', 'api', 'Deployment'), clientKeyOf('shop', 'web', 'Deployment')]);
    expect(seeded.desired(clientKeyOf('shop', 'web', 'Deployment'))!.spec.targets).to.deep.equal([{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { kubernetes: { name: 'db', kind: 'StatefulSet' } }]);
    // The written target keeps its written evidence.
    expect(seeded.desired(clientKeyOf('shop', 'web', 'Deployment'))!.evidence.get('kubernetes:cart#Deployment')?.firstSeen).to.equal(t0 - minute);
    expect(seeded.desired(clientKeyOf('shop', 'api', 'Deployment'))!.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);
    expect(seeded.domainFor(web, '203.0.113.5', t0 + minute)).to.equal('api.stripe.com');
  });

  it('changes nothing when everything was written', () => {
    const before = new IntentsStore(1024);
    before.record(web, { type: 'kubernetes', name: 'cart', kind: 'Deployment' }, 'SYN', t0, t0 + minute);
    const seeded = new IntentsStore(1024);
    seeded.seed({ namespace: 'shop', objectName: 'web', spec: { workload: { name: 'web', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }] }, evidence: new Map() }, t0);
    expect(seeded.adoptMissing(before, t0)).to.deep.equal([]);
  });

  it('stays within its bounds when the seeded and the previous store are each full (clients, DNS memory)', () => {
    const bounds = { maxClients: 10, maxDnsMemory: 10 };
    const evicted = new Map<string, number>();
    const onEvict = (map: string, n: number): void => void evicted.set(map, (evicted.get(map) ?? 0) + n);
    const before = new IntentsStore(1024, { ...bounds, onEvict });
    const seeded = new IntentsStore(1024, { ...bounds, onEvict });
    for (let i = 0; i < 10; i++) {
      before.record({ namespace: 'shop', name: `old-${i}`, kind: 'Deployment' }, { type: 'service', name: 'kubernetes.default' }, 'SYN', t0, t0 + i);
      before.rememberDns({ namespace: 'shop', name: `old-${i}`, kind: 'Deployment' }, 'api.example', [`203.0.113.${i}`], t0 + 10 * minute);
      seeded.seed({ namespace: 'shop', objectName: `new-${i}`, spec: { workload: { name: `new-${i}`, kind: 'Deployment' }, targets: [{ service: { name: 'kubernetes.default' } }] }, evidence: new Map() }, t0 + minute);
      seeded.rememberDns({ namespace: 'shop', name: `new-${i}`, kind: 'Deployment' }, 'api.example', [`198.51.100.${i}`], t0 + 10 * minute);
    }
    evicted.clear();
    seeded.adoptMissing(before, t0 + 2 * minute);
    expect(seeded.size.clients).to.be.at.most(10);
    expect(seeded.size.dnsMemory).to.be.at.most(10);
    expect(evicted.get('clients')).to.be.greaterThan(0);
    expect(evicted.get('dns-memory')).to.be.greaterThan(0);
  });
});
