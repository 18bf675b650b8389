import { expect } from 'chai';
import { clientIntentsSpec } from '../../../../src/crds/client-intents.js';
import { ClusterIndex } from '../../../../src/operator/core/cluster-index.js';
import { IntentsStore, clientKeyOf } from '../../../../src/operator/core/intents-store.js';
import { AccessWindow } from '../../../../src/operator/core/kafka/access-window.js';
import { readAuthorizerLine } from '../../../../src/operator/core/kafka/authorizer-line.js';
import { canonicalIp, resolveKafkaAccess } from '../../../../src/operator/core/kafka/kafka-resolver.js';
import { planClientIntents } from '../../../../src/operator/core/plan.js';
import type { WorkloadIdentity } from '../../../../src/operator/core/types.js';
import { minute, pod, t0 } from '../fixtures.js';
import { base, layout, standardMessage, type AuditFields } from './authorizer-fixtures.js';

const broker: WorkloadIdentity = { namespace: 'kafka', name: 'kafka', kind: 'StatefulSet' };
const producer: WorkloadIdentity = { namespace: 'shop', name: 'order-producer', kind: 'Deployment' };
const consumer: WorkloadIdentity = { namespace: 'shipping', name: 'order-consumer', kind: 'Deployment' };

function cluster(): ClusterIndex {
  const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 10 * minute });
  index.upsertPod(pod('kafka', 'kafka-0', ['10.0.9.1']), broker, t0);
  index.upsertPod(pod('shop', 'order-producer-1', ['10.0.0.5', 'fd00::5']), producer, t0);
  index.upsertPod(pod('shipping', 'order-consumer-1', ['10.0.1.6']), consumer, t0);
  return index;
}

function window(lines: { at: number; fields: Partial<AuditFields> }[]): AccessWindow {
  const w = new AccessWindow(1000);
  for (const { at, fields } of lines) {
    const result = readAuthorizerLine(layout(standardMessage({ ...base, ...fields }), fields.allowed ?? true));
    if (result.ok) w.add(at, result.access);
    else w.ignore(result.reason);
  }
  return w;
}

function resolve(store: IntentsStore, index: ClusterIndex, lines: { at: number; fields: Partial<AuditFields> }[]): ReturnType<typeof resolveKafkaAccess> {
  return resolveKafkaAccess(window(lines).flush().groups, broker, index, store);
}

const key = (w: WorkloadIdentity): string => clientKeyOf(w.namespace, w.name, w.kind);

describe('Kafka targets in ClientIntents', () => {
  it('maps topics and operations per client into one kafka target per broker, in the CRD\'s shape and order', () => {
    const store = new IntentsStore(1024);
    const index = cluster();
    const at = t0 + minute;
    const outcome = resolve(store, index, [
      { at, fields: { host: '10.0.0.5', operation: 'DESCRIBE', request: 'Metadata' } },
      { at, fields: { host: '10.0.0.5', operation: 'WRITE' } },
      { at: at + 1000, fields: { host: '10.0.0.5', operation: 'WRITE' } },
      { at, fields: { host: '10.0.0.5', operation: 'WRITE', resourceName: 'audit' } },
      { at, fields: { host: '10.0.1.6', operation: 'READ', request: 'Fetch' } },
      { at, fields: { host: '10.0.1.6', operation: 'WRITE', resourceName: 'shipping' } },
    ]);
    expect(outcome.resolved).to.equal(6);
    expect(outcome.unresolved.size).to.equal(0);
    const desired = store.desired(key(producer))!;
    expect(desired.spec.targets).to.deep.equal([
      { kafka: { name: 'kafka.kafka', topics: [{ name: 'audit', operations: ['produce'] }, { name: 'orders', operations: ['produce', 'describe'] }] } },
    ]);
    expect(clientIntentsSpec.safeParse(desired.spec).success).to.equal(true);
    const evidence = desired.evidence.get('kafka:kafka.kafka:orders:produce')!;
    expect([evidence.firstSeen, evidence.lastSeen, [...evidence.captures]]).to.deep.equal([at, at + 1000, ['KafkaAuthorizer']]);
    expect(store.desired(key(consumer))!.spec.targets).to.deep.equal([
      { kafka: { name: 'kafka.kafka', topics: [{ name: 'orders', operations: ['consume'] }, { name: 'shipping', operations: ['produce'] }] } },
    ]);
  });

  it('sorts a kafka target after the other targets and merges new operations into it', () => {
    const store = new IntentsStore(1024);
    store.record(producer, { type: 'internet', domain: 'api.example.com' }, 'DNS', t0, t0);
    resolve(store, cluster(), [{ at: t0 + 1000, fields: { host: '10.0.0.5', operation: 'CREATE', request: 'CreateTopics' } }]);
    resolve(store, cluster(), [{ at: t0 + 2000, fields: { host: '10.0.0.5', operation: 'READ', request: 'Fetch' } }]);
    expect(store.desired(key(producer))!.spec.targets).to.deep.equal([
      { internet: { domains: ['api.example.com'] } },
      { kafka: { name: 'kafka.kafka', topics: [{ name: 'orders', operations: ['consume', 'create'] }] } },
    ]);
  });

  it('ages each topic operation on its own', () => {
    const store = new IntentsStore(1024);
    const index = cluster();
    resolve(store, index, [{ at: t0, fields: { host: '10.0.0.5', operation: 'DESCRIBE' } }]);
    resolve(store, index, [{ at: t0 + 50 * minute, fields: { host: '10.0.0.5', operation: 'WRITE' } }]);
    expect(store.expire(t0 + 61 * minute, 60 * minute)).to.deep.equal([key(producer)]);
    expect(store.desired(key(producer))!.spec.targets).to.deep.equal([{ kafka: { name: 'kafka.kafka', topics: [{ name: 'orders', operations: ['produce'] }] } }]);
  });

  it('holds at most the schema\'s 256 topics per broker and counts the rest', () => {
    const store = new IntentsStore(4096);
    const lines = Array.from({ length: 260 }, (_, i) => ({ at: t0 + 1000, fields: { host: '10.0.0.5', resourceName: `topic-${String(i).padStart(3, '0')}` } }));
    const outcome = resolve(store, cluster(), lines);
    expect(outcome.resolved).to.equal(256);
    expect(outcome.unresolved.get('too-many-targets')).to.equal(4);
    const target = store.desired(key(producer))!.spec.targets[0]!;
    expect(target.kafka!.topics).to.have.length(256);
    // A topic already held still gains operations.
    resolve(store, cluster(), [{ at: t0 + 2000, fields: { host: '10.0.0.5', resourceName: 'topic-000', operation: 'DESCRIBE' } }]);
    expect(store.desired(key(producer))!.spec.targets[0]!.kafka!.topics![0]).to.deep.equal({ name: 'topic-000', operations: ['produce', 'describe'] });
  });

  it('names the pod that held the host IP when the line was logged, and refuses to guess across a reuse', () => {
    const index = cluster();
    index.upsertPod(pod('shop', 'order-producer-1', ['10.0.0.5'], { end: t0 + 10 * minute }), producer, t0 + 10 * minute);
    const other: WorkloadIdentity = { namespace: 'billing', name: 'invoicer', kind: 'Deployment' };
    index.upsertPod(pod('billing', 'invoicer-1', ['10.0.0.5'], { start: t0 + 11 * minute }), other, t0 + 11 * minute);
    const store = new IntentsStore(1024);
    resolve(store, index, [
      { at: t0 + 5 * minute, fields: { host: '10.0.0.5', operation: 'WRITE' } },
      { at: t0 + 12 * minute, fields: { host: '10.0.0.5', operation: 'READ' } },
    ]);
    expect(store.desired(key(producer))!.spec.targets[0]!.kafka!.topics).to.deep.equal([{ name: 'orders', operations: ['produce'] }]);
    expect(store.desired(key(other))!.spec.targets[0]!.kafka!.topics).to.deep.equal([{ name: 'orders', operations: ['consume'] }]);
    const spanning = resolve(new IntentsStore(1024), index, [
      { at: t0 + 5 * minute, fields: { host: '10.0.0.5', operation: 'ALTER' } },
      { at: t0 + 12 * minute, fields: { host: '10.0.0.5', operation: 'ALTER' } },
    ]);
    expect(spanning.unresolved.get('client-ip-ambiguous')).to.equal(2);
  });

  it('does not make the broker a client of itself, and counts unknown hosts', () => {
    const store = new IntentsStore(1024);
    const outcome = resolve(store, cluster(), [
      { at: t0 + 1000, fields: { host: '10.0.9.1', operation: 'CLUSTER_ACTION', resourceType: 'CLUSTER' } },
      { at: t0 + 1000, fields: { host: '10.0.9.1', operation: 'READ' } },
      { at: t0 + 1000, fields: { host: '10.9.9.9', operation: 'READ' } },
    ]);
    expect(outcome.resolved).to.equal(0);
    expect(Object.fromEntries(outcome.unresolved)).to.deep.equal({ 'self-call': 1, 'client-unknown-ip': 1 });
    expect(store.clientKeys()).to.deep.equal([]);
  });

  it('resolves IPv6 hosts that Java writes in full', () => {
    expect(canonicalIp('fd00:0:0:0:0:0:0:5')).to.equal('fd00::5');
    expect(canonicalIp('fe80:0:0:0:0:0:0:1%eth0')).to.equal('fe80::1');
    const store = new IntentsStore(1024);
    expect(resolve(store, cluster(), [{ at: t0 + 1000, fields: { host: 'fd00:0:0:0:0:0:0:5' } }]).resolved).to.equal(1);
  });

  it('reads a written kafka target back (restart) into the same desired spec and evidence, so nothing is rewritten', () => {
    const store = new IntentsStore(1024);
    resolve(store, cluster(), [
      { at: t0 + 1000, fields: { host: '10.0.0.5', operation: 'WRITE' } },
      { at: t0 + 2000, fields: { host: '10.0.0.5', operation: 'DESCRIBE', resourceName: 'audit' } },
    ]);
    const before = store.desired(key(producer))!;
    const plan = planClientIntents(before, [], { now: t0 + 3000, evidenceIntervalMs: 60_000 });
    expect(plan.invalid).to.equal(undefined);
    const written = plan.apply!;
    const seeded = new IntentsStore(1024);
    seeded.seed({ namespace: 'shop', objectName: written.metadata.name, spec: written.spec!, evidence: before.evidence }, t0 + 4000);
    const after = seeded.desired(key(producer))!;
    expect(after.spec).to.deep.equal(before.spec);
    const again = planClientIntents(after, [{ namespace: 'shop', name: written.metadata.name, managed: true, spec: written.spec, annotations: written.metadata.annotations! }], { now: t0 + 5000, evidenceIntervalMs: 60_000 });
    expect(again.apply).to.equal(undefined);
  });

  it('groups a window\'s lines per host, topic and operation, and bounds the groups', () => {
    const w = new AccessWindow(2);
    const access = (topic: string) => ({ host: '10.0.0.5', topic, operation: 'produce' as const, principal: 'User:ANONYMOUS' });
    w.add(t0 + 5, access('a'));
    w.add(t0 + 1, access('a'));
    w.add(t0 + 2, access('b'));
    w.add(t0 + 3, access('c'));
    w.ignore('denied');
    const contents = w.flush();
    expect(contents.groups).to.deep.equal([
      { host: '10.0.0.5', topic: 'a', operation: 'produce', first: t0 + 1, last: t0 + 5, count: 2 },
      { host: '10.0.0.5', topic: 'b', operation: 'produce', first: t0 + 2, last: t0 + 2, count: 1 },
    ]);
    expect(Object.fromEntries(contents.ignored)).to.deep.equal({ 'window-full': 1, denied: 1 });
    expect(contents.lines).to.equal(5);
    expect(w.flush().groups).to.deep.equal([]);
  });

  it('tells a user whose own ClientIntents lacks topic operations which ones (all and the topic * cover)', () => {
    const store = new IntentsStore(1024);
    resolve(store, cluster(), [
      { at: t0 + 1000, fields: { host: '10.0.1.6', operation: 'READ' } },
      { at: t0 + 1000, fields: { host: '10.0.1.6', operation: 'DESCRIBE' } },
      { at: t0 + 1000, fields: { host: '10.0.1.6', operation: 'WRITE', resourceName: 'shipping' } },
    ]);
    const desired = store.desired(key(consumer))!;
    const userOwned = (topics: unknown[]) => [{ namespace: 'shipping', name: 'mine', managed: false, annotations: {}, spec: { workload: { name: 'order-consumer' }, targets: [{ kafka: { name: 'kafka.kafka', topics } }] } }];
    const options = { now: t0 + 2000, evidenceIntervalMs: 60_000 };
    const plan = planClientIntents(desired, userOwned([{ name: 'orders', operations: ['consume'] }]), options);
    expect(plan.apply).to.equal(undefined);
    expect(plan.event!.message).to.equal('network-mapper observed 1 target(s) this ClientIntents lacks: kafka kafka.kafka (orders: describe; shipping: produce)');
    expect(planClientIntents(desired, userOwned([{ name: 'orders', operations: ['all'] }, { name: '*', operations: ['produce'] }]), options).event).to.equal(undefined);
  });
});
