import { expect } from 'chai';
import { clientIntentsSpec } from '../../../src/crds/client-intents.js';
import { intentsBounds } from '../../../src/crds/bounds.js';
import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { ClusterIndex } from '../../../src/operator/core/cluster-index.js';
import { HttpIntents, httpOverflowAnnotation } from '../../../src/operator/core/http-intents.js';
import { resolveHttp } from '../../../src/operator/core/http-resolver.js';
import { IntentsStore, clientKeyOf } from '../../../src/operator/core/intents-store.js';
import { planClientIntents } from '../../../src/operator/core/plan.js';
import { iso, minute, observation, pod, t0 } from './fixtures.js';

const at = t0 + minute;
const frontend = clientKeyOf('shop', 'frontend', 'Deployment');

function cluster(): ClusterIndex {
  const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 10 * minute });
  index.upsertPod(pod('shop', 'frontend-1', ['10.0.0.1']), { namespace: 'shop', name: 'frontend', kind: 'Deployment' }, t0);
  index.upsertPod(pod('shop', 'cart-1', ['10.0.0.2']), { namespace: 'shop', name: 'cart', kind: 'Deployment' }, t0);
  index.upsertPod(pod('shop', 'mixed-a', ['10.0.0.5']), { namespace: 'shop', name: 'a', kind: 'Deployment' }, t0);
  index.upsertPod(pod('shop', 'mixed-b', ['10.0.0.6']), { namespace: 'shop', name: 'b', kind: 'Deployment' }, t0);
  index.upsertService({ namespace: 'shop', name: 'cart', clusterIPs: ['10.96.0.20'] });
  index.upsertSlice({ namespace: 'shop', name: 'cart-x', serviceName: 'cart', endpoints: [{ ips: ['10.0.0.2'], pod: { namespace: 'shop', name: 'cart-1' } }] });
  index.upsertService({ namespace: 'shop', name: 'mixed', clusterIPs: ['10.96.0.50'] });
  index.upsertSlice({ namespace: 'shop', name: 'mixed-x', serviceName: 'mixed', endpoints: [{ ips: ['10.0.0.5'], pod: { namespace: 'shop', name: 'mixed-a' } }, { ips: ['10.0.0.6'], pod: { namespace: 'shop', name: 'mixed-b' } }] });
  return index;
}

type HttpRecord = NonNullable<NetworkObservationSpec['httpRequests']>[number];
const request = (serverIP: string, path: string, methods: HttpRecord['methods'], when = at, clientIP = '10.0.0.1'): HttpRecord =>
  ({ clientIP, serverIP, serverPort: 8080, path, methods, firstSeen: iso(when), lastSeen: iso(when), count: 1 });

describe('HTTP paths on kubernetes targets (operator core)', () => {
  it('attaches paths and merged methods to the kubernetes target, with HTTP in its evidence', () => {
    const store = new IntentsStore(1024);
    const http = new HttpIntents();
    const outcome = resolveHttp(observation({
      httpRequests: [
        request('10.96.0.20', '/users/{*}', ['GET']),
        request('10.0.0.2', '/users/{*}', ['POST']),
        request('10.96.0.20', '/orders', ['POST']),
        request('10.96.0.20', '/healthz', ['HEAD']),
        request('10.96.0.20', '/status', ['GET', 'HEAD']),
      ],
    }), cluster(), store, http, { enabled: true });
    expect(outcome).to.deep.include({ records: 5, resolved: 5 });
    const desired = http.attach(store.desired(frontend)!);
    expect(desired.spec.targets).to.deep.equal([{
      kubernetes: {
        name: 'cart', kind: 'Deployment',
        http: [{ path: '/orders', methods: ['POST'] }, { path: '/status', methods: ['GET'] }, { path: '/users/{*}', methods: ['GET', 'POST'] }],
      },
    }]);
    expect(clientIntentsSpec.safeParse(desired.spec).success).to.equal(true);
    expect([...desired.evidence.get('kubernetes:cart#Deployment')!.captures]).to.deep.equal(['HTTP']);
    expect(desired.annotations).to.equal(undefined);
  });

  it('counts HTTP to a server that is not one workload, and everything while off', () => {
    const spec = observation({ httpRequests: [request('10.96.0.50', '/a', ['GET']), request('10.9.9.9', '/b', ['GET'])] });
    const on = resolveHttp(spec, cluster(), new IntentsStore(1024), new HttpIntents(), { enabled: true });
    expect(Object.fromEntries(on.unresolved)).to.deep.equal({ 'http-not-workload': 1, 'server-unknown-ip': 1 });
    const store = new IntentsStore(1024);
    const off = resolveHttp(observation({ httpRequests: [request('10.96.0.20', '/a', ['GET'])] }), cluster(), store, new HttpIntents(), { enabled: false });
    expect(Object.fromEntries(off.unresolved)).to.deep.equal({ 'http-disabled': 1 });
    expect(store.desired(frontend)).to.equal(undefined);
  });

  it('caps paths per target and shows the overflow (ours and the sniffer\'s) in an annotation the plan writes', () => {
    const store = new IntentsStore(1024);
    const http = new HttpIntents();
    const requests = Array.from({ length: intentsBounds.httpPerTarget + 3 }, (_, i) => request('10.96.0.20', `/p${i}`, ['GET']));
    resolveHttp(observation({
      httpRequests: requests,
      httpOverflow: [{ clientIP: '10.0.0.1', serverIP: '10.96.0.20', serverPort: 8080, count: 40 }],
    }), cluster(), store, http, { enabled: true });
    const desired = http.attach(store.desired(frontend)!);
    expect(desired.spec.targets[0]?.kubernetes?.http).to.have.length(intentsBounds.httpPerTarget);
    expect(desired.annotations).to.deep.equal({ [httpOverflowAnnotation]: '{"kubernetes:cart#Deployment":43}' });
    const plan = planClientIntents(desired, [], { now: at, evidenceIntervalMs: 300_000 });
    expect(plan.apply?.metadata.annotations?.[httpOverflowAnnotation]).to.equal('{"kubernetes:cart#Deployment":43}');
    expect(clientIntentsSpec.safeParse(plan.apply?.spec).success).to.equal(true);
    // Written as planned: nothing more to write.
    const written = { namespace: 'shop', name: plan.apply!.metadata.name, managed: true, spec: plan.apply!.spec, annotations: plan.apply!.metadata.annotations ?? {} };
    expect(planClientIntents(desired, [written], { now: at + 1000, evidenceIntervalMs: 300_000 }).apply).to.equal(undefined);
  });

  it('ages paths like targets, and rebuilds them from a written ClientIntents', () => {
    const store = new IntentsStore(1024);
    const http = new HttpIntents();
    resolveHttp(observation({ httpRequests: [request('10.96.0.20', '/old', ['GET'], at), request('10.96.0.20', '/new', ['PUT'], at + 20 * minute)] }), cluster(), store, http, { enabled: true });
    expect(http.expire(at + 25 * minute, 10 * minute)).to.deep.equal([frontend]);
    const desired = http.attach(store.desired(frontend)!);
    expect(desired.spec.targets[0]?.kubernetes?.http).to.deep.equal([{ path: '/new', methods: ['PUT'] }]);

    const seeded = new IntentsStore(1024);
    const seededHttp = new HttpIntents();
    const key = seeded.seed({ namespace: 'shop', objectName: 'frontend', spec: desired.spec, evidence: desired.evidence }, at + 30 * minute);
    seededHttp.seed(key, desired.spec, () => at + 20 * minute, '{"kubernetes:cart#Deployment":5,"bad":"x"}');
    const rebuilt = seededHttp.attach(seeded.desired(key)!);
    expect(rebuilt.spec).to.deep.equal(desired.spec);
    expect(rebuilt.annotations).to.deep.equal({ [httpOverflowAnnotation]: '{"kubernetes:cart#Deployment":5}' });
  });

  it('is bounded in (client, target) pairs, oldest refreshed first out, counted', () => {
    let evicted = 0;
    const http = new HttpIntents({ maxTargets: 3, onEvict: (n) => (evicted += n) });
    for (let i = 0; i < 5; i++) http.record(`client-${i}`, 'kubernetes:cart#Deployment', '/a', ['GET'], at, at);
    expect(http.size).to.equal(3);
    expect(evicted).to.equal(2);
  });
});
