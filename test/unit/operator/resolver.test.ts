import { expect } from 'chai';
import { ClusterIndex } from '../../../src/operator/core/cluster-index.js';
import { IntentsStore, clientKeyOf } from '../../../src/operator/core/intents-store.js';
import { resolveObservation } from '../../../src/operator/core/observation-resolver.js';
import type { WorkloadIdentity } from '../../../src/operator/core/types.js';
import { conn, dns, minute, observation, pod, t0 } from './fixtures.js';

const options = { internetTargets: true, dnsMemoryMs: 10 * minute };
const at = t0 + minute;

function cluster(): ClusterIndex {
  const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 10 * minute });
  const add = (ns: string, name: string, ip: string, identity: WorkloadIdentity, extra = {}): void =>
    index.upsertPod(pod(ns, name, [ip], extra), identity, t0);
  add('shop', 'frontend-1', '10.0.0.1', { namespace: 'shop', name: 'frontend', kind: 'Deployment' });
  add('shop', 'cart-1', '10.0.0.2', { namespace: 'shop', name: 'cart', kind: 'Deployment' });
  add('shop', 'cart-2', '10.0.0.3', { namespace: 'shop', name: 'cart', kind: 'Deployment' });
  add('billing', 'payments-0', '10.0.1.1', { namespace: 'billing', name: 'payments', kind: 'StatefulSet' });
  add('shop', 'legacy-1', '10.0.0.9', { namespace: 'shop', name: 'legacy.v2' });
  add('kube-system', 'agent-x', '192.168.0.10', { namespace: 'kube-system', name: 'agent', kind: 'DaemonSet' }, { hostNetwork: true });
  index.setNode('node-a', ['192.168.0.10']);
  index.upsertService({ namespace: 'shop', name: 'cart', clusterIPs: ['10.96.0.20', 'fd00:10:96::20'] });
  index.upsertSlice({ namespace: 'shop', name: 'cart-abc', serviceName: 'cart', endpoints: [{ ips: ['10.0.0.2'], pod: { namespace: 'shop', name: 'cart-1' } }, { ips: ['10.0.0.3'], pod: { namespace: 'shop', name: 'cart-2' } }] });
  index.upsertService({ namespace: 'billing', name: 'payments', clusterIPs: ['10.96.0.30'] });
  index.upsertSlice({ namespace: 'billing', name: 'payments-x', serviceName: 'payments', endpoints: [{ ips: ['10.0.1.1'] }] });
  index.upsertService({ namespace: 'shop', name: 'empty', clusterIPs: ['10.96.0.40'] });
  index.upsertService({ namespace: 'default', name: 'kubernetes', clusterIPs: ['10.96.0.1'] });
  index.upsertSlice({ namespace: 'default', name: 'kubernetes', serviceName: 'kubernetes', ports: [6443], endpoints: [{ ips: ['192.0.2.1'] }] });
  return index;
}

function run(parts: Parameters<typeof observation>[0], opts = options): { store: IntentsStore; outcome: ReturnType<typeof resolveObservation> } {
  const store = new IntentsStore(1024);
  const outcome = resolveObservation(observation(parts), cluster(), store, opts);
  return { store, outcome };
}

describe('resolveObservation', () => {
  it('resolves ClusterIPs (v4 and v6), pod IPs and cross-namespace Services to workloads', () => {
    const { store, outcome } = run({
      connections: [
        conn('10.0.0.1', '10.96.0.20', 8080, at),
        conn('10.0.0.1', 'fd00:10:96::20', 8080, at, ['SocketScan']),
        conn('10.0.0.1', '10.0.0.3', 8080, at),
        conn('10.0.0.1', '10.96.0.30', 443, at),
        conn('10.0.0.1', '10.96.0.40', 80, at),
      ],
    });
    expect(outcome.unresolved.size).to.equal(0);
    expect(outcome.resolved).to.equal(5);
    expect(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))?.spec).to.deep.equal({
      workload: { name: 'frontend', kind: 'Deployment' },
      targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { kubernetes: { name: 'payments.billing', kind: 'StatefulSet' } }, { service: { name: 'empty' } }],
    });
    const evidence = store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!.evidence.get('kubernetes:cart#Deployment')!;
    expect([...evidence.captures].sort()).to.deep.equal(['SYN', 'SocketScan']);
  });

  it('names the API server kubernetes.default by ClusterIP, by endpoint and by DNS name', () => {
    for (const parts of [
      { connections: [conn('10.0.0.2', '10.96.0.1', 443, at)] },
      { connections: [conn('10.0.0.2', '192.0.2.1', 6443, at)] },
      { dnsAnswers: [dns('10.0.0.2', 'kubernetes.default.svc.cluster.local', ['10.96.0.1'], at)] },
    ]) {
      const { store } = run(parts);
      expect(store.desired(clientKeyOf('shop', 'cart', 'Deployment'))?.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);
    }
  });

  it('adds no target for a lookup alone of a TCP-only Service (a refused call must not widen the map), but does for a Service with a UDP port', () => {
    const index = cluster();
    index.upsertService({ namespace: 'shop', name: 'cart', clusterIPs: ['10.96.0.20'], portSpecs: [{ port: 8080 }, { port: 8443, protocol: 'TCP' }] });
    index.upsertService({ namespace: 'billing', name: 'payments', clusterIPs: ['10.96.0.30'], portSpecs: [{ port: 443 }, { port: 8125, protocol: 'UDP' }] });
    const store = new IntentsStore(1024);
    const frontend = clientKeyOf('shop', 'frontend', 'Deployment');
    const lookups = [dns('10.0.0.1', 'cart.shop.svc.cluster.local', ['10.96.0.20'], at), dns('10.0.0.1', 'payments.billing.svc.cluster.local', ['10.96.0.30'], at)];
    const outcome = resolveObservation(observation({ dnsAnswers: lookups }), index, store, options);
    expect(outcome.unresolved.size, 'both lookups understood').to.equal(0);
    expect(store.desired(frontend)?.spec.targets, 'only the server whose calls cannot be seen').to.deep.equal([{ kubernetes: { name: 'payments.billing', kind: 'StatefulSet' } }]);
    resolveObservation(observation({ connections: [conn('10.0.0.1', '10.96.0.20', 8080, at + 1000)] }), index, store, options);
    expect(store.desired(frontend)?.spec.targets, 'the answered call adds it').to.deep.equal([
      { kubernetes: { name: 'cart', kind: 'Deployment' } }, { kubernetes: { name: 'payments.billing', kind: 'StatefulSet' } },
    ]);
    resolveObservation(observation({ dnsAnswers: [lookups[0]!], connections: [conn('10.0.0.1', '10.96.0.20', 8080, at + 2000)] }), index, store, options);
    expect([...store.desired(frontend)!.evidence.get('kubernetes:cart#Deployment')!.captures].sort(), 'the lookup is evidence once the call is there').to.deep.equal(['DNS', 'SYN']);
  });

  it('resolves in-cluster DNS names (service, headless, pod) and merges them with the connection', () => {
    const { store, outcome } = run({
      dnsAnswers: [
        dns('10.0.0.1', 'cart.shop.svc.cluster.local', ['10.96.0.20'], at),
        dns('10.0.0.1', 'payments-0.payments.billing.svc.cluster.local', ['10.0.1.1'], at),
        dns('10.0.0.1', '10-0-0-9.shop.pod.cluster.local', ['10.0.0.9'], at),
        dns('10.0.0.1', 'nothing.shop.svc.cluster.local', ['10.96.9.9'], at),
      ],
      connections: [conn('10.0.0.1', '10.96.0.20', 8080, at + 1000)],
    });
    const desired = store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!;
    expect(desired.spec.targets).to.deep.equal([
      { kubernetes: { name: 'cart', kind: 'Deployment' } },
      { kubernetes: { name: 'legacy_v2' } },
      { kubernetes: { name: 'payments.billing', kind: 'StatefulSet' } },
    ]);
    expect([...desired.evidence.get('kubernetes:cart#Deployment')!.captures].sort()).to.deep.equal(['DNS', 'SYN']);
    expect(Object.fromEntries(outcome.unresolved)).to.deep.equal({ 'cluster-name-unknown': 1 });
  });

  it('turns external names into internet targets with the ports of later connections, and fills resolvedIPs', () => {
    const { store } = run({
      dnsAnswers: [dns('10.0.0.1', 'api.stripe.com', ['203.0.113.5', '203.0.113.6'], at)],
      connections: [conn('10.0.0.1', '203.0.113.6', 443, at + 1000), conn('10.0.0.1', '203.0.113.5', 8443, at + 2000)],
    });
    const desired = store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!;
    expect(desired.spec.targets).to.deep.equal([{ internet: { domains: ['api.stripe.com'], ports: [443, 8443] } }]);
    expect(desired.resolvedIPs).to.deep.equal([{ dns: 'api.stripe.com', ips: ['203.0.113.5', '203.0.113.6'] }]);
  });

  it('with internet targets off, counts external names and unknown IPs as unresolved', () => {
    const { store, outcome } = run(
      { dnsAnswers: [dns('10.0.0.1', 'api.stripe.com', ['203.0.113.5'], at)], connections: [conn('10.0.0.1', '203.0.113.5', 443, at + 1000)] },
      { ...options, internetTargets: false },
    );
    expect(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))).to.equal(undefined);
    expect(Object.fromEntries(outcome.unresolved)).to.deep.equal({ 'internet-disabled': 1, 'server-unknown-ip': 1 });
  });

  it('never attributes hostNetwork or node traffic, and counts every reason', () => {
    const { outcome } = run({
      connections: [
        conn('192.168.0.10', '10.96.0.20', 80, at),
        conn('10.0.0.1', '192.168.0.10', 10250, at),
        conn('10.5.5.5', '10.96.0.20', 80, at),
        conn('10.0.0.1', '10.0.0.1', 80, at),
        conn('10.0.0.1', '10.0.0.2', 80, t0 - minute),
      ],
    });
    expect(Object.fromEntries(outcome.unresolved)).to.deep.equal({
      'client-host-network': 1,
      'server-host-network': 1,
      'client-unknown-ip': 1,
      'self-call': 1,
      'client-not-running-at-time': 1,
    });
    expect(outcome.resolved).to.equal(0);
  });

  it('credits a reused IP to the pod that held it when the traffic was seen', () => {
    const index = cluster();
    index.removePod('shop', 'cart-1', t0 + 2 * minute);
    index.upsertPod(pod('shop', 'newcomer-1', ['10.0.0.2'], { start: t0 + 3 * minute }), { namespace: 'shop', name: 'newcomer', kind: 'Deployment' }, t0 + 3 * minute);
    const store = new IntentsStore(1024);
    resolveObservation(observation({ connections: [conn('10.0.0.2', '10.0.1.1', 80, t0 + minute), conn('10.0.0.2', '10.96.0.30', 80, t0 + 4 * minute)] }), index, store, options);
    expect(store.desired(clientKeyOf('shop', 'cart', 'Deployment'))?.spec.targets).to.deep.equal([{ kubernetes: { name: 'payments.billing', kind: 'StatefulSet' } }]);
    expect(store.desired(clientKeyOf('shop', 'newcomer', 'Deployment'))?.spec.targets).to.deep.equal([{ kubernetes: { name: 'payments.billing', kind: 'StatefulSet' } }]);
  });

  it('names a Service backed by several workloads as a service target', () => {
    const index = cluster();
    index.upsertSlice({ namespace: 'shop', name: 'mixed', serviceName: 'empty', endpoints: [{ ips: ['10.0.0.2'] }, { ips: ['10.0.0.9'] }] });
    const store = new IntentsStore(1024);
    resolveObservation(observation({ connections: [conn('10.0.0.1', '10.96.0.40', 80, at)] }), index, store, options);
    expect(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))?.spec.targets).to.deep.equal([{ service: { name: 'empty' } }]);
  });

  it('caps the targets per client and counts the rest', () => {
    const store = new IntentsStore(1);
    const outcome = resolveObservation(observation({ connections: [conn('10.0.0.1', '10.0.0.2', 80, at), conn('10.0.0.1', '10.0.1.1', 80, at)] }), cluster(), store, options);
    expect(outcome.unresolved.get('too-many-targets')).to.equal(1);
  });

  it('expires targets not seen for the configured time', () => {
    const { store } = run({ connections: [conn('10.0.0.1', '10.0.0.2', 80, at), conn('10.0.0.1', '10.0.1.1', 80, at + 30 * minute)] });
    expect(store.expire(at + 40 * minute, 20 * minute)).to.deep.equal([clientKeyOf('shop', 'frontend', 'Deployment')]);
    expect(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))?.spec.targets).to.deep.equal([{ kubernetes: { name: 'payments.billing', kind: 'StatefulSet' } }]);
  });
});
