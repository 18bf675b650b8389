import { expect } from 'chai';
import { renderDot } from '../../../src/cli/core/dot-format.js';
import { exportObjects } from '../../../src/cli/core/export-objects.js';
import { renderYaml } from '../../../src/cli/core/export-format.js';
import { diffIntents, renderDiff } from '../../../src/cli/core/intents-diff.js';
import { readIntentsObject, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { renderList } from '../../../src/cli/core/list-format.js';
import { buildGraph } from '../../../src/cli/core/map-graph.js';
import { mapView } from '../../../src/cli/core/map-view.js';
import { statusReport, type StatusInput } from '../../../src/cli/core/status-report.js';
import { decodeWatcherStatus, encodeWatcherStatus, type WatcherStatus } from '../../../src/operator/core/kafka/watcher-status.js';
import { ClusterIndex } from '../../../src/operator/core/cluster-index.js';
import { IntentsStore, clientKeyOf } from '../../../src/operator/core/intents-store.js';
import { resolveKafkaAccess } from '../../../src/operator/core/kafka/kafka-resolver.js';
import { planClientIntents } from '../../../src/operator/core/plan.js';
import type { WorkloadIdentity } from '../../../src/operator/core/types.js';
import { pod } from '../operator/fixtures.js';

const t0 = Date.parse('2026-12-07T04:00:00Z');
const broker: WorkloadIdentity = { namespace: 'kafka', name: 'kafka', kind: 'StatefulSet' };
const client: WorkloadIdentity = { namespace: 'shipping', name: 'shipper', kind: 'Deployment' };

/** The operator's own object for a consumer of `orders` that produces `shipping`, evidence included. */
function observedObject(): IntentsObject {
  const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 600_000 });
  index.upsertPod(pod('kafka', 'kafka-0', ['10.0.9.1'], { start: t0 }), broker, t0);
  index.upsertPod(pod('shipping', 'shipper-1', ['10.0.1.6'], { start: t0 }), client, t0);
  const store = new IntentsStore(1024);
  const group = (topic: string, operation: 'consume' | 'produce' | 'describe', at: number) => ({ host: '10.0.1.6', topic, operation, first: at, last: at, count: 1 });
  resolveKafkaAccess([group('orders', 'consume', t0 + 1000), group('orders', 'describe', t0 + 1000), group('shipping', 'produce', t0 + 2000)], broker, index, store);
  const plan = planClientIntents(store.desired(clientKeyOf('shipping', 'shipper', 'Deployment'))!, [], { now: t0 + 3000, evidenceIntervalMs: 60_000 });
  const read = readIntentsObject(plan.apply);
  if (!read.ok) throw new Error(read.reason);
  return read.object;
}

function declaredObject(topics: unknown[]): IntentsObject {
  const read = readIntentsObject({ metadata: { name: 'shipper-intents', namespace: 'shipping' }, spec: { workload: { name: 'shipper', kind: 'Deployment' }, targets: [{ kafka: { name: 'kafka.kafka', topics } }] } });
  if (!read.ok) throw new Error(read.reason);
  return read.object;
}

describe('cli: Kafka targets', () => {
  it('lists them in the reference CLI\'s words', () => {
    expect(renderList([observedObject()])).to.equal(
      [
        'shipper in namespace shipping calls:',
        '  - kafka in namespace kafka',
        '    - Kafka topic: orders, operations: [consume describe]',
        '    - Kafka topic: shipping, operations: [produce]',
        '',
      ].join('\n'),
    );
  });

  it('exports the v2beta1 kafka target as written', () => {
    const { objects } = exportObjects([observedObject()], 'v2beta1');
    expect(renderYaml(objects)).to.contain(
      ['    - kafka:', '        name: kafka.kafka', '        topics:', '          - name: orders', '            operations:', '              - consume', '              - describe'].join('\n'),
    );
  });

  it('draws the topics as the edge\'s label', () => {
    expect(renderDot(buildGraph([observedObject()]))).to.contain('"shipper.shipping" -> "kafka.kafka" [label="orders:consume,describe shipping:produce"];');
  });

  it('diffs per topic operation: all and the topic * cover, a missing operation is shown with its evidence', () => {
    const observed = observedObject();
    const declared = (topics: unknown[]) => [{ object: declaredObject(topics), source: 'shipping/shipper-intents' }];
    expect(diffIntents([observed], declared([{ name: 'orders', operations: ['all'] }, { name: 'shipping', operations: ['produce'] }])).differ).to.equal(false);
    expect(diffIntents([observed], declared([{ name: '*', operations: ['consume', 'describe', 'produce'] }])).differ).to.equal(false);
    const diff = diffIntents([observed], declared([{ name: 'orders', operations: ['consume', 'describe'] }, { name: 'audit', operations: ['produce'] }]));
    expect(renderDiff(diff)).to.equal(
      [
        '--- declared shipper in namespace shipping: shipping/shipper-intents',
        '+++ observed shipper in namespace shipping: shipping/shipper',
        '+ kafka in namespace kafka: Kafka topic shipping, produce (seen 2026-12-07T04:00:02Z .. 2026-12-07T04:00:02Z by KafkaAuthorizer): observed, not declared; blocked under enforcement',
        '- kafka in namespace kafka: Kafka topic audit, produce: declared, not observed; a candidate to remove',
        '',
      ].join('\n'),
    );
  });

  it('serves each topic operation with its evidence, and finds clients by topic', () => {
    const view = mapView([observedObject()], { hiddenNamespaces: [], search: '' });
    expect(view.workloads['shipper.shipping']!.targets.map((t) => [t.target, t.firstSeen, t.capturedBy])).to.deep.equal([
      ['kafka in namespace kafka: Kafka topic orders, consume', '2026-12-07T04:00:01Z', ['KafkaAuthorizer']],
      ['kafka in namespace kafka: Kafka topic orders, describe', '2026-12-07T04:00:01Z', ['KafkaAuthorizer']],
      ['kafka in namespace kafka: Kafka topic shipping, produce', '2026-12-07T04:00:02Z', ['KafkaAuthorizer']],
    ]);
    expect(mapView([observedObject()], { hiddenNamespaces: [], search: 'orders' }).shown).to.equal(1);
  });

  it('shows the Kafka watcher in status: brokers and their last line, lines by result, gaps; stale is a problem', () => {
    const now = t0 + 3_600_000;
    const watcher: WatcherStatus = {
      at: now - 5000,
      brokers: [{ namespace: 'kafka', name: 'kafka-0', lastLineAt: now - 2000 }, { namespace: 'kafka', name: 'kafka-1' }],
      accessLines: 1200,
      ignored: { 'not-authorizer': 40, denied: 3, 'not-topic': 300 },
      unresolved: { 'self-call': 12 },
      gaps: { 'pod-replaced': 1 },
      brokersLeftOut: 0,
    };
    expect(decodeWatcherStatus(encodeWatcherStatus(watcher))).to.deep.equal(watcher);
    expect(decodeWatcherStatus('{"at":"x"}')).to.equal(undefined);
    const input: StatusInput = {
      now,
      namespace: 'network-mapper',
      nodes: ['node-a'],
      snifferPods: [{ name: 'netmap-sniffer-a', node: 'node-a', ready: true }],
      observations: [{ node: 'node-a', created: now - 10_000, windowEnd: now - 10_000, phase: 'Processed', unresolved: [] }],
      operator: { name: 'network-mapper-operator', desired: 1, ready: 1 },
      lease: { holder: 'network-mapper-operator-abc', acquired: now - 60_000, renewed: now - 1000, durationSeconds: 15 },
      crd: { ours: false, versions: ['v2alpha1', 'v2beta1'] },
      kafka: watcher,
    };
    const report = statusReport(input);
    expect(report.ok).to.equal(true);
    expect(report.text).to.contain(
      [
        'Kafka watcher (status written 5s ago):',
        '  kafka/kafka-0: last line 2s ago',
        '  kafka/kafka-1: no line read yet',
        '  lines read by this leader: 1200 topic accesses; ignored: not-topic 300, not-authorizer 40, denied 3',
        '  accesses whose client was not named: self-call 12',
        '  logs not read back in full: pod-replaced 1',
      ].join('\n'),
    );
    const stale = statusReport({ ...input, kafka: { ...watcher, at: now - 10 * 60_000 } });
    expect(stale.ok).to.equal(false);
    expect(stale.text).to.contain("the Kafka watcher's status was last written 10m ago");
    expect(statusReport({ ...input, kafka: 'unreadable' }).text).to.contain('Kafka watcher: its status in the cursor ConfigMap cannot be read');
  });
});
