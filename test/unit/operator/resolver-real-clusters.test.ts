import { expect } from 'chai';
import { ClusterIndex } from '../../../src/operator/core/cluster-index.js';
import { answeredName } from '../../../src/operator/core/cluster-dns.js';
import { clientKeyOf, IntentsStore } from '../../../src/operator/core/intents-store.js';
import { resolveObservation } from '../../../src/operator/core/observation-resolver.js';
import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { conn, dns, minute, observation, pod, t0 } from './fixtures.js';

const webKey = clientKeyOf('shop', 'web', 'Deployment');

const options = { internetTargets: true, dnsMemoryMs: 10 * minute };
const at = t0 + minute;
const nodeIP = '172.18.0.2';
const coredns = { namespace: 'kube-system', name: 'coredns', kind: 'Deployment' };
const web = { namespace: 'shop', name: 'web', kind: 'Deployment' };

/**
 * A cluster as kubeadm, kind or k3s build it: the API server's endpoint is the node IP on port
 * 6443, CoreDNS pods behind kube-dns (53/UDP, 53/TCP, 9153/TCP), node-local DNS on hostNetwork.
 */
function realCluster(): ClusterIndex {
  const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 10 * minute });
  index.setNode('node-a', [nodeIP]);
  index.upsertPod(pod('shop', 'web-1', ['10.244.0.5']), web, t0);
  index.upsertPod(pod('kube-system', 'coredns-1', ['10.244.0.2']), coredns, t0);
  index.upsertPod(pod('kube-system', 'coredns-2', ['10.244.0.3']), coredns, t0);
  index.upsertPod(pod('kube-system', 'node-local-dns-x', [nodeIP], { hostNetwork: true }), { namespace: 'kube-system', name: 'node-local-dns', kind: 'DaemonSet' }, t0);
  index.upsertService({ namespace: 'default', name: 'kubernetes', clusterIPs: ['10.96.0.1'], ports: [443] });
  index.upsertSlice({ namespace: 'default', name: 'kubernetes', serviceName: 'kubernetes', ports: [6443], endpoints: [{ ips: [nodeIP] }] });
  index.upsertService({ namespace: 'kube-system', name: 'kube-dns', clusterIPs: ['10.96.0.10'], ports: [53, 53, 9153] });
  index.upsertSlice({
    namespace: 'kube-system', name: 'kube-dns-abc', serviceName: 'kube-dns', ports: [53, 53, 9153],
    endpoints: [{ ips: ['10.244.0.2'], pod: { namespace: 'kube-system', name: 'coredns-1' } }, { ips: ['10.244.0.3'], pod: { namespace: 'kube-system', name: 'coredns-2' } }],
  });
  index.upsertService({ namespace: 'shop', name: 'status', clusterIPs: [] });
  return index;
}

function resolve(parts: Partial<NetworkObservationSpec>, index = realCluster()): { store: IntentsStore; outcome: ReturnType<typeof resolveObservation> } {
  const store = new IntentsStore(1024);
  return { store, outcome: resolveObservation(observation(parts), index, store, options) };
}

describe('resolveObservation on a cluster as real ones are built', () => {
  describe('case 1: DNS answers addressed to a resolver', () => {
    it('never makes a CoreDNS pod a client of the names it forwards upstream, and keeps its clients\' own targets', () => {
      const { store, outcome } = resolve({
        dnsAnswers: [
          dns('10.244.0.2', 'api.payments.example', ['203.0.113.7'], at),
          dns('10.244.0.3', 'status.example.org', ['203.0.113.8'], at),
          dns('10.244.0.5', 'api.payments.example', ['203.0.113.7'], at),
        ],
        // CoreDNS's TCP retry to the upstream, and web's call to the answered address.
        connections: [conn('10.244.0.2', '203.0.113.7', 443, at), conn('10.244.0.5', '203.0.113.7', 443, at + 500)],
      });
      expect(store.clientKeys()).to.deep.equal([webKey]);
      expect(store.desired(webKey)?.spec.targets).to.deep.equal([{ internet: { domains: ['api.payments.example'], ports: [443] } }]);
      expect(Object.fromEntries(outcome.unresolved)).to.deep.equal({ 'client-dns-resolver': 2, 'server-unknown-ip': 1 });
    });

    it('knows a resolver pod of a new rollout by its workload before its EndpointSlice lists it', () => {
      const index = realCluster();
      index.upsertPod(pod('kube-system', 'coredns-3', ['10.244.0.4']), coredns, t0);
      const { store, outcome } = resolve({ dnsAnswers: [dns('10.244.0.4', 'api.payments.example', ['203.0.113.7'], at)] }, index);
      expect(store.desired('kube-system/coredns')).to.equal(undefined);
      expect(Object.fromEntries(outcome.unresolved)).to.deep.equal({ 'client-dns-resolver': 1 });
    });

    it('tells a resolver whose Service maps port 53 to another container port (dns-default on OpenShift: 53 -> 5353)', () => {
      const index = realCluster();
      index.upsertPod(pod('openshift-dns', 'dns-default-x', ['10.244.0.7']), { namespace: 'openshift-dns', name: 'dns-default', kind: 'DaemonSet' }, t0);
      index.upsertService({ namespace: 'openshift-dns', name: 'dns-default', clusterIPs: ['172.30.0.10'], ports: [53, 9154] });
      index.upsertSlice({ namespace: 'openshift-dns', name: 'dns-default-1', serviceName: 'dns-default', ports: [5353, 9154], endpoints: [{ ips: ['10.244.0.7'] }] });
      const { store } = resolve({ dnsAnswers: [dns('10.244.0.7', 'api.payments.example', ['203.0.113.7'], at)] }, index);
      expect(store.desired('openshift-dns/dns-default')).to.equal(undefined);
    });

    it('never makes node-local DNS (hostNetwork, the node IP) a client, of DNS or of the API server', () => {
      const { store, outcome } = resolve({
        dnsAnswers: [dns(nodeIP, 'api.payments.example', ['203.0.113.7'], at)],
        connections: [conn(nodeIP, '10.96.0.10', 53, at), conn(nodeIP, '10.96.0.1', 443, at)],
      });
      expect(store.clientKeys()).to.deep.equal([]);
      expect(Object.fromEntries(outcome.unresolved)).to.deep.equal({ 'client-host-network': 3 });
    });
  });

  describe('case 2: the node IP', () => {
    it('is the API server only on the port of the default/kubernetes EndpointSlice', () => {
      const { store, outcome } = resolve({
        connections: [conn('10.244.0.5', nodeIP, 6443, at), conn('10.244.0.5', nodeIP, 10250, at), conn('10.244.0.5', nodeIP, 9100, at)],
      });
      expect(store.desired(webKey)?.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);
      expect(Object.fromEntries(outcome.unresolved)).to.deep.equal({ 'server-host-network': 2 });
    });

    it('is the API server through the ClusterIP, whatever the endpoint port', () => {
      const { store } = resolve({ connections: [conn('10.244.0.5', '10.96.0.1', 443, at)] });
      expect(store.desired(webKey)?.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);
    });
  });

  describe('a client that calls a Service before it has endpoints (start-up, rollouts)', () => {
    it('names the Service until its traffic resolves to the one workload behind it, then only the workload', () => {
      const index = realCluster();
      index.upsertService({ namespace: 'shop', name: 'cart', clusterIPs: ['10.96.0.20'], ports: [8080] });
      const store = new IntentsStore(1024);
      resolveObservation(observation({
        dnsAnswers: [dns('10.244.0.5', 'cart.shop.svc.cluster.local', ['10.96.0.20'], at)],
        connections: [conn('10.244.0.5', '10.96.0.20', 8080, at)],
      }), index, store, options);
      expect(store.desired(webKey)?.spec.targets).to.deep.equal([{ service: { name: 'cart' } }]);

      index.upsertPod(pod('shop', 'cart-1', ['10.244.0.9']), { namespace: 'shop', name: 'cart', kind: 'Deployment' }, t0);
      index.upsertSlice({ namespace: 'shop', name: 'cart-x', serviceName: 'cart', ports: [8080], endpoints: [{ ips: ['10.244.0.9'], pod: { namespace: 'shop', name: 'cart-1' } }] });
      const outcome = resolveObservation(observation({ connections: [conn('10.244.0.5', '10.96.0.20', 8080, at + 5000)] }), index, store, options);
      expect([...outcome.changedClients]).to.deep.equal([webKey]);
      expect(store.desired(webKey)?.spec.targets).to.deep.equal([{ kubernetes: { name: 'cart', kind: 'Deployment' } }]);
    });
  });

  describe('case 3: autopath and ExternalName answers', () => {
    it('maps an autopath answer (the search-expanded name aliased to the outside name) to the outside name', () => {
      const { store, outcome } = resolve({
        dnsAnswers: [{
          ...dns('10.244.0.5', 'api.payments.example.shop.svc.cluster.local', ['203.0.113.7'], at),
          cnames: ['api.payments.example', 'edge.payments-cdn.example', 'pop1.edge.payments-cdn.example'],
        }],
        connections: [conn('10.244.0.5', '203.0.113.7', 80, at + 500)],
      });
      expect(outcome.unresolved.size).to.equal(0);
      expect(store.desired(webKey)?.spec.targets).to.deep.equal([{ internet: { domains: ['api.payments.example'], ports: [80] } }]);
    });

    it('maps an ExternalName Service to its external name', () => {
      const { store, outcome } = resolve({
        dnsAnswers: [{ ...dns('10.244.0.5', 'status.shop.svc.cluster.local', ['203.0.113.8'], at), cnames: ['status.example.org'] }],
        connections: [conn('10.244.0.5', '203.0.113.8', 443, at + 500)],
      });
      expect(outcome.unresolved.size).to.equal(0);
      expect(store.desired(webKey)?.spec.targets).to.deep.equal([{ internet: { domains: ['status.example.org'], ports: [443] } }]);
    });

    it('maps an autopath answer for a Service in another namespace to that Service, not to the expansion\'s labels', () => {
      // `payments.billing` asked from shop: the expansion would read as Service `billing` in shop.
      const index = realCluster();
      index.upsertService({ namespace: 'shop', name: 'billing', clusterIPs: ['10.96.0.50'], ports: [80] });
      index.upsertService({ namespace: 'billing', name: 'payments', clusterIPs: ['10.96.0.30'], ports: [8080] });
      const { store, outcome } = resolve({
        dnsAnswers: [{ ...dns('10.244.0.5', 'payments.billing.shop.svc.cluster.local', ['10.96.0.30'], at), cnames: ['payments.billing.svc.cluster.local'] }],
      }, index);
      expect(outcome.unresolved.size).to.equal(0);
      expect(store.desired(webKey)?.spec.targets).to.deep.equal([{ service: { name: 'payments.billing' } }]);
    });

    it('keeps the asked name of a chain between outside names; an alias of an alias of an ExternalName is the outside name', () => {
      expect(answeredName('api.payments.example', ['edge.payments-cdn.example'], 'cluster.local')).to.equal('api.payments.example');
      expect(answeredName('status.ops.billing.svc.cluster.local', ['status.ops.svc.cluster.local', 'status.example.org'], 'cluster.local')).to.equal('status.example.org');
      expect(answeredName('kubernetes.default.svc.ops.svc.cluster.local', ['kubernetes.default.svc.cluster.local'], 'cluster.local')).to.equal('kubernetes.default.svc.cluster.local');
      expect(answeredName('cart.shop.svc.cluster.local', undefined, 'cluster.local')).to.equal('cart.shop.svc.cluster.local');
    });
  });
});
