import { expect } from 'chai';
import { ClusterIndex } from '../../../src/operator/core/cluster-index.js';
import { decodeEvidence, encodeEvidence, evidenceAnnotation, evidenceDiffers, portsAdded, type Evidence } from '../../../src/operator/core/evidence.js';
import { IntentsStore, clientKeyOf } from '../../../src/operator/core/intents-store.js';
import { resolveObservation } from '../../../src/operator/core/observation-resolver.js';
import { planClientIntents } from '../../../src/operator/core/plan.js';
import { maxPortsPerTarget, recordPort, type PortSeen } from '../../../src/operator/core/port-evidence.js';
import { podPortsForServicePort } from '../../../src/operator/core/service-ports.js';
import type { ServiceInfo, WorkloadIdentity } from '../../../src/operator/core/types.js';
import { managedByLabel, managedByValue } from '../../../src/shared/ownership.js';
import { conn, minute, observation, pod, t0 } from './fixtures.js';

const options = { internetTargets: true, dnsMemoryMs: 10 * minute };
const frontend = clientKeyOf('shop', 'frontend', 'Deployment');

/**
 * shop/db: Service port 5432 -> targetPort 5432; port 80 (named "http") -> targetPort "web",
 * which the EndpointSlice resolves to 8080; port 9090 -> numeric targetPort 9091.
 */
function cluster(sliceNamedPorts = [{ name: 'http', port: 8080 }, { name: 'pg', port: 5432 }, { name: 'metrics', port: 9091 }]): ClusterIndex {
  const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 10 * minute });
  const add = (name: string, ip: string, identity: WorkloadIdentity): void => index.upsertPod(pod('shop', name, [ip]), identity, t0);
  add('frontend-1', '10.0.0.1', { namespace: 'shop', name: 'frontend', kind: 'Deployment' });
  add('db-0', '10.0.0.5', { namespace: 'shop', name: 'db', kind: 'StatefulSet' });
  index.upsertService(dbService);
  index.upsertSlice({ namespace: 'shop', name: 'db-x', serviceName: 'db', namedPorts: sliceNamedPorts, endpoints: [{ ips: ['10.0.0.5'], pod: { namespace: 'shop', name: 'db-0' } }] });
  return index;
}

const dbService: ServiceInfo = {
  namespace: 'shop',
  name: 'db',
  clusterIPs: ['10.96.0.50'],
  ports: [5432, 80, 9090],
  portSpecs: [
    { port: 5432, name: 'pg', targetPort: 5432, protocol: 'TCP' },
    { port: 80, name: 'http', targetPort: 'web', protocol: 'TCP' },
    { port: 9090, name: 'metrics', targetPort: 9091, protocol: 'TCP' },
  ],
};

function portsOf(store: IntentsStore, key: string): [number, { first: number; last: number }][] {
  const ports = store.desired(frontend)!.evidence.get(key)!.ports ?? new Map<number, PortSeen>();
  return [...ports].map(([p, s]) => [p, { first: s.firstSeen, last: s.lastSeen }]);
}

describe('server ports per target', () => {
  it('translates a Service port to its targetPort, resolves named ports through EndpointSlices, keeps a pod called by IP on the port it was called on', () => {
    const store = new IntentsStore(1024);
    const at = t0 + minute;
    const outcome = resolveObservation(
      observation({
        connections: [
          conn('10.0.0.1', '10.96.0.50', 5432, at),
          conn('10.0.0.1', '10.96.0.50', 80, at + 1000),
          conn('10.0.0.1', '10.96.0.50', 9090, at + 2000),
          // by pod IP, on a port the Service does not declare
          conn('10.0.0.1', '10.0.0.5', 7000, at + 3000),
        ],
      }),
      cluster(),
      store,
      options,
    );
    expect(outcome.unresolved.size).to.equal(0);
    expect(store.desired(frontend)!.spec.targets).to.deep.equal([{ kubernetes: { name: 'db', kind: 'StatefulSet' } }]);
    expect(portsOf(store, 'kubernetes:db#StatefulSet')).to.have.deep.members([
      [5432, { first: at, last: at }],
      [8080, { first: at + 1000, last: at + 1000 }],
      [9091, { first: at + 2000, last: at + 2000 }],
      [7000, { first: at + 3000, last: at + 3000 }],
    ]);
  });

  it('a named targetPort no EndpointSlice resolves records the target without a port, never a guess', () => {
    const store = new IntentsStore(1024);
    resolveObservation(observation({ connections: [conn('10.0.0.1', '10.96.0.50', 80, t0 + minute)] }), cluster([]), store, options);
    expect(store.desired(frontend)!.spec.targets).to.have.length(1);
    expect(portsOf(store, 'kubernetes:db#StatefulSet')).to.deep.equal([]);
  });

  it('podPortsForServicePort: no targetPort is the port; an undeclared port is kept as captured; UDP ports are told apart', () => {
    const service: ServiceInfo = { namespace: 'a', name: 's', clusterIPs: [], portSpecs: [{ port: 53, name: 'dns', targetPort: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', targetPort: 5353, protocol: 'TCP' }, { port: 81 }] };
    const slices = [{ namespace: 'a', name: 'x', serviceName: 's', endpoints: [], namedPorts: [{ name: 'dns', port: 1053, protocol: 'UDP' }] }];
    expect(podPortsForServicePort(service, slices, 81)).to.deep.equal([81]);
    expect(podPortsForServicePort(service, slices, 82)).to.deep.equal([82]);
    expect(podPortsForServicePort(service, slices, 53)).to.deep.equal([5353]);
    expect(podPortsForServicePort(service, slices, 53, 'UDP')).to.deep.equal([1053]);
    // a rollout renumbering a named container port lists both numbers
    const two = [...slices, { namespace: 'a', name: 'y', serviceName: 's', endpoints: [], namedPorts: [{ name: 'dns', port: 2053, protocol: 'UDP' }] }];
    expect(podPortsForServicePort(service, two, 53, 'UDP')).to.deep.equal([1053, 2053]);
  });

  it('keeps at most maxPortsPerTarget ports per target, the least recently seen going first', () => {
    const ports = new Map<number, PortSeen>();
    for (let i = 0; i < maxPortsPerTarget + 5; i++) recordPort(ports, 10_000 + i, t0 + i, t0 + i);
    expect(ports.size).to.equal(maxPortsPerTarget);
    expect(ports.has(10_000)).to.equal(false);
    expect(ports.has(10_004)).to.equal(false);
    expect(ports.has(10_005)).to.equal(true);
    // refreshing an old port keeps it
    recordPort(ports, 10_005, t0, t0 + 10 * minute);
    recordPort(ports, 20_000, t0 + minute, t0 + minute);
    expect(ports.has(10_005)).to.equal(true);
    expect(ports.has(10_006)).to.equal(false);
  });

  it('a new port is written at once only while the target is below the bound: a port sweep waits for the evidence interval', () => {
    const at = t0 + minute;
    const full = new Map<number, PortSeen>();
    for (let i = 0; i < maxPortsPerTarget; i++) full.set(20_000 + i, { firstSeen: at, lastSeen: at });
    const written = new Map<string, Evidence>([['kubernetes:db#StatefulSet', { firstSeen: at, lastSeen: at, captures: new Set(['SYN']), ports: full }]]);
    const swept = new Map(full);
    swept.delete(20_000);
    swept.set(30_000, { firstSeen: at + 1000, lastSeen: at + 1000 });
    const desired = new Map<string, Evidence>([['kubernetes:db#StatefulSet', { firstSeen: at, lastSeen: at + 1000, captures: new Set(['SYN']), ports: swept }]]);
    expect(portsAdded(desired, written)).to.equal(false);
    expect(evidenceDiffers(desired, written, 5 * minute)).to.equal(true);
    const below = new Map(full);
    below.delete(20_001);
    expect(portsAdded(desired, new Map([['kubernetes:db#StatefulSet', { ...written.get('kubernetes:db#StatefulSet')!, ports: below }]]))).to.equal(true);
  });

  it('stores ports in the evidence annotation and reads them back; a foreign or broken ports value is passed over', () => {
    const evidence = new Map<string, Evidence>([
      ['kubernetes:db#StatefulSet', { firstSeen: t0, lastSeen: t0 + minute, captures: new Set(['SYN']), ports: new Map([[5432, { firstSeen: t0, lastSeen: t0 + minute }], [8080, { firstSeen: t0 + 1000, lastSeen: t0 + 1000 }]]) }],
      ['service:kubernetes.default', { firstSeen: t0, lastSeen: t0, captures: new Set(['DNS']) }],
    ]);
    const text = encodeEvidence(evidence);
    expect(JSON.parse(text)).to.deep.equal({
      'kubernetes:db#StatefulSet': { first: '2026-11-26T10:00:00Z', last: '2026-11-26T10:01:00Z', by: ['SYN'], ports: { '5432': { first: '2026-11-26T10:00:00Z', last: '2026-11-26T10:01:00Z' }, '8080': { first: '2026-11-26T10:00:01Z', last: '2026-11-26T10:00:01Z' } } },
      'service:kubernetes.default': { first: '2026-11-26T10:00:00Z', last: '2026-11-26T10:00:00Z', by: ['DNS'] },
    });
    const back = decodeEvidence(text);
    expect(evidenceDiffers(back, evidence, 0)).to.equal(false);
    const broken = decodeEvidence(JSON.stringify({ 'kubernetes:db': { first: '2026-11-26T10:00:00Z', last: '2026-11-26T10:00:00Z', by: [], ports: { '0': { first: 'x', last: 'y' }, http: {}, '70000': { first: '2026-11-26T10:00:00Z', last: '2026-11-26T10:00:00Z' }, '443': { first: '2026-11-26T10:00:00Z', last: '2026-11-26T10:00:00Z' } } } }));
    expect([...broken.get('kubernetes:db')!.ports!.keys()]).to.deep.equal([443]);
  });

  it('a new port on a known target is written at once, a known port seen again is no write of its own; a restart seeds the ports', () => {
    const store = new IntentsStore(1024);
    const index = cluster();
    const at = t0 + minute;
    resolveObservation(observation({ connections: [conn('10.0.0.1', '10.96.0.50', 5432, at)] }), index, store, options);
    const first = planClientIntents(store.desired(frontend)!, [], { now: at, evidenceIntervalMs: 5 * minute });
    const written = { namespace: 'shop', name: 'frontend', managed: true, spec: first.apply!.spec, annotations: first.apply!.metadata.annotations!, labels: { [managedByLabel]: managedByValue } };
    expect(JSON.parse(written.annotations[evidenceAnnotation]!)['kubernetes:db#StatefulSet'].ports).to.have.keys(['5432']);

    resolveObservation(observation({ connections: [conn('10.0.0.1', '10.96.0.50', 5432, at + minute)] }), index, store, options);
    const refreshed = planClientIntents(store.desired(frontend)!, [written], { now: at + minute, evidenceIntervalMs: 5 * minute });
    expect(refreshed).to.deep.equal({});

    resolveObservation(observation({ connections: [conn('10.0.0.1', '10.96.0.50', 80, at + minute)] }), index, store, options);
    const newPort = planClientIntents(store.desired(frontend)!, [written], { now: at + minute, evidenceIntervalMs: 5 * minute });
    expect(newPort.apply?.spec).to.deep.equal(first.apply!.spec);
    const ports = JSON.parse(newPort.apply!.metadata.annotations![evidenceAnnotation]!)['kubernetes:db#StatefulSet'].ports;
    expect(ports).to.have.keys(['5432', '8080']);

    const seeded = new IntentsStore(1024);
    seeded.seed({ namespace: 'shop', objectName: 'frontend', spec: newPort.apply!.spec!, evidence: decodeEvidence(newPort.apply!.metadata.annotations![evidenceAnnotation]) }, at + 2 * minute);
    const afterRestart = planClientIntents(seeded.desired(frontend)!, [{ ...written, annotations: newPort.apply!.metadata.annotations! }], { now: at + 2 * minute, evidenceIntervalMs: 5 * minute });
    expect(afterRestart).to.deep.equal({});
  });
});
