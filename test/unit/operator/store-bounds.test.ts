import { expect } from 'chai';
import { HttpIntents } from '../../../src/operator/core/http-intents.js';
import { IntentsStore } from '../../../src/operator/core/intents-store.js';
import { largestMapDuring } from '../../support/largest-map.js';
import { minute, t0 } from './fixtures.js';

const client = (i: number, prefix = 'c'): { namespace: string; name: string; kind: string } => ({ namespace: 'shop', name: `${prefix}-${i}`, kind: 'Deployment' });
const kubeApi = { type: 'service', name: 'kubernetes.default' } as const;

describe('operator stores never exceed their bounds, not even for a moment', () => {
  it('adoptMissing with a full seeded store and a full previous store (clients, DNS memory, resolved IPs)', () => {
    const bounds = { maxClients: 8, maxDnsMemory: 8, maxDomainsPerClient: 4, maxIpsPerDomain: 4 };
    const before = new IntentsStore(4, bounds);
    const seeded = new IntentsStore(4, bounds);
    for (let i = 0; i < 8; i++) {
      before.record(client(i, 'old'), kubeApi, 'SYN', t0, t0 + i);
      before.rememberDns(client(i, 'old'), `d${i}.example`, [`203.0.113.${i}`], t0 + 10 * minute);
      seeded.seed({ namespace: 'shop', objectName: `new-${i}`, spec: { workload: { name: `new-${i}`, kind: 'Deployment' }, targets: [{ service: { name: 'kubernetes.default' } }] }, evidence: new Map() }, t0 + minute);
      seeded.rememberDns(client(i, 'new'), `d${i}.example`, [`198.51.100.${i}`], t0 + 10 * minute);
    }
    expect(largestMapDuring(() => seeded.adoptMissing(before, t0 + 2 * minute))).to.be.at.most(8);
    expect(seeded.size.clients).to.equal(8);
    expect(seeded.size.dnsMemory).to.equal(8);
  });

  it('a new client beyond maxClients (record), and a DNS answer beyond maxDnsMemory', () => {
    const store = new IntentsStore(4, { maxClients: 5, maxDnsMemory: 5 });
    for (let i = 0; i < 5; i++) store.record(client(i), kubeApi, 'SYN', t0, t0 + i);
    for (let i = 0; i < 5; i++) store.rememberDns(client(0), `d${i}.example`, [`203.0.113.${i}`], t0 + minute);
    expect(largestMapDuring(() => store.record(client(5), kubeApi, 'SYN', t0, t0 + 10))).to.be.at.most(5);
    expect(largestMapDuring(() => store.rememberDns(client(0), 'd9.example', ['203.0.113.99'], t0 + minute))).to.be.at.most(5);
    expect(store.size.clients).to.be.at.most(5);
  });

  it('HttpIntents.adoptMissing keeps maxTargets (client, target) pairs', () => {
    let evicted = 0;
    const before = new HttpIntents({ maxTargets: 6 });
    const fresh = new HttpIntents({ maxTargets: 6, onEvict: (n) => (evicted += n) });
    for (let i = 0; i < 6; i++) {
      before.record(`old-${i}`, 'kubernetes:cart#Deployment', '/a', ['GET'], t0, t0);
      fresh.record(`new-${i}`, 'kubernetes:cart#Deployment', '/a', ['GET'], t0, t0);
    }
    expect(largestMapDuring(() => fresh.adoptMissing(before))).to.be.at.most(6);
    expect(fresh.size).to.equal(6);
    expect(evicted).to.equal(6);
  });
});
