import { expect } from 'chai';
import { clientIntentsSpec } from '../../../src/crds/client-intents.js';
import { isPlainIp } from '../../../src/crds/fields.js';
import { networkObservationSpec } from '../../../src/crds/network-observation.js';
import { observationBounds } from '../../../src/crds/bounds.js';

const now = '2026-11-26T03:00:00Z';
const connection = {
  clientIP: '10.0.0.1', serverIP: 'fd00::1', serverPort: 443, protocol: 'TCP',
  sources: ['SYN'], firstSeen: now, lastSeen: now, count: 1,
};
const dnsAnswer = { clientIP: '10.0.0.1', name: 'api.example.com', ips: ['1.2.3.4'], ttlSeconds: 30, firstSeen: now, lastSeen: now, count: 2 };
const observation = { nodeName: 'node-a', windowStart: now, windowEnd: now, dnsAnswers: [dnsAnswer], connections: [connection] };

describe('NetworkObservation spec schema', () => {
  it('accepts a valid window and defaults empty lists', () => {
    expect(networkObservationSpec.parse(observation)).to.deep.equal(observation);
    expect(networkObservationSpec.parse({ nodeName: 'n', windowStart: now, windowEnd: now })).to.include({ nodeName: 'n' })
      .and.to.have.property('connections').that.deep.equals([]);
  });

  const invalid: [string, unknown][] = [
    ['a port out of range', { ...observation, connections: [{ ...connection, serverPort: 70000 }] }],
    ['a port given as a string', { ...observation, connections: [{ ...connection, serverPort: '80' }] }],
    ['a bad IP', { ...observation, connections: [{ ...connection, clientIP: '10.0.0.256' }] }],
    ['an IPv4-mapped IPv6 address', { ...observation, connections: [{ ...connection, clientIP: '::ffff:10.0.0.1' }] }],
    ['an unknown field', { ...observation, extra: 1 }],
    ['an upper-case name', { ...observation, dnsAnswers: [{ ...dnsAnswer, name: 'API.example.com' }] }],
    ['too many connections', { ...observation, connections: Array(observationBounds.connectionsPerObject + 1).fill(connection) }],
    ['an unknown capture source', { ...observation, connections: [{ ...connection, sources: ['eBPF'] }] }],
  ];
  for (const [what, value] of invalid) {
    it(`rejects ${what}`, () => {
      expect(networkObservationSpec.safeParse(value).success).to.equal(false);
    });
  }
});

describe('ClientIntents spec schema', () => {
  const valid = {
    workload: { name: 'checkout', kind: 'Deployment' },
    targets: [
      { kubernetes: { name: 'cart', kind: 'Deployment' } },
      { service: { name: 'kubernetes.default' } },
      { internet: { domains: ['api.stripe.com'], ports: [443] } },
      { internet: { ips: ['10.0.0.0/8', 'fd00::1'] } },
    ],
  };
  it('accepts the shapes network-mapper writes', () => {
    expect(clientIntentsSpec.parse(valid)).to.deep.equal(valid);
  });
  const invalid: [string, unknown][] = [
    ['a dotted workload name', { ...valid, workload: { name: 'my-app.4' } }],
    ['a lower-case kind', { ...valid, workload: { name: 'a', kind: 'deployment' } }],
    ['a target with two keys', { ...valid, targets: [{ kubernetes: { name: 'a' }, service: { name: 'b' } }] }],
    ['a target with no key', { ...valid, targets: [{}] }],
    ['a name with two dots', { ...valid, targets: [{ kubernetes: { name: 'a.b.c' } }] }],
    ['an internet target without domains or ips', { ...valid, targets: [{ internet: { ports: [443] } }] }],
    ['a bad CIDR', { ...valid, targets: [{ internet: { ips: ['10.0.0.0/33'] } }] }],
  ];
  for (const [what, value] of invalid) {
    it(`rejects ${what}`, () => {
      expect(clientIntentsSpec.safeParse(value).success).to.equal(false);
    });
  }
});

describe('isPlainIp', () => {
  it('takes IPv4 and IPv6, refuses zones and IPv4-mapped forms', () => {
    expect(['1.2.3.4', '::1', 'fd00:10:96::a'].map(isPlainIp)).to.deep.equal([true, true, true]);
    expect(['fe80::1%eth0', '::ffff:1.2.3.4', '::ffff:0102:0304', '1.2.3', ''].map(isPlainIp)).to.deep.equal([
      false, false, false, false, false,
    ]);
  });
});
