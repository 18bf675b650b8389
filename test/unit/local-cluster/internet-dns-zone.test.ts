import { expect } from 'chai';
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { buildZone, lookup } from '../../support/local-cluster/cluster-dns-zone.js';

const services: V1Service[] = [
  { metadata: { name: 'cart', namespace: 'shop' }, spec: { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20', 'fd00:10:96::20'] } },
  { metadata: { name: 'db', namespace: 'shop' }, spec: { clusterIP: 'None' } },
];
const slices: V1EndpointSlice[] = [{
  metadata: { name: 'db-x', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } },
  addressType: 'IPv4',
  endpoints: [
    { addresses: ['10.244.9.40'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.244.9.41'], hostname: 'db-1', conditions: { ready: false } },
  ],
}];
const pods: V1Pod[] = [
  { metadata: { name: 'web', namespace: 'shop' }, status: { podIPs: [{ ip: '10.244.9.50' }] } },
  { metadata: { name: 'host', namespace: 'shop' }, spec: { hostNetwork: true, containers: [] }, status: { podIPs: [{ ip: '10.244.9.2' }] } },
];
const zone = buildZone(services, slices, pods, {
  'api.payments.example': [{ type: 'CNAME', data: 'edge.cdn.example' }],
  'edge.cdn.example': [{ type: 'A', data: '10.245.9.10' }],
});

describe('local cluster DNS zone', () => {
  it('answers a Service name with its ClusterIPs, A and AAAA', () => {
    expect(lookup(zone, 'cart.shop.svc.cluster.local', 'A')).to.deep.equal({ rcode: 'NOERROR', answers: [{ name: 'cart.shop.svc.cluster.local', type: 'A', data: '10.96.0.20' }] });
    expect(lookup(zone, 'CART.shop.svc.cluster.local.', 'AAAA').answers.map((a) => a.data)).to.deep.equal(['fd00:10:96::20']);
  });

  it('answers a headless Service with its ready endpoints, and their hostnames', () => {
    expect(lookup(zone, 'db.shop.svc.cluster.local', 'A').answers.map((a) => a.data)).to.deep.equal(['10.244.9.40']);
    expect(lookup(zone, 'db-0.db.shop.svc.cluster.local', 'A').answers.map((a) => a.data)).to.deep.equal(['10.244.9.40']);
    expect(lookup(zone, 'db-1.db.shop.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN');
  });

  it('answers pod names a-b-c-d.<ns>.pod, but not for hostNetwork pods', () => {
    expect(lookup(zone, '10-244-9-50.shop.pod.cluster.local', 'A').answers.map((a) => a.data)).to.deep.equal(['10.244.9.50']);
    expect(lookup(zone, '10-244-9-2.shop.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN');
  });

  it('follows external CNAME chains, and says NXDOMAIN for unknown names (search-list expansions)', () => {
    expect(lookup(zone, 'api.payments.example', 'A').answers).to.deep.equal([
      { name: 'api.payments.example', type: 'CNAME', data: 'edge.cdn.example' },
      { name: 'edge.cdn.example', type: 'A', data: '10.245.9.10' },
    ]);
    expect(lookup(zone, 'api.payments.example.shop.svc.cluster.local', 'A')).to.deep.equal({ rcode: 'NXDOMAIN', answers: [] });
    expect(lookup(zone, 'cart.shop.svc.cluster.local', 'MX')).to.deep.equal({ rcode: 'NOERROR', answers: [] });
  });
});
