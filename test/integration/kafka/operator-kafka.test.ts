import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { decodeCursors } from '../../../src/operator/core/kafka/cursor-codec.js';
import { decodeWatcherStatus } from '../../../src/operator/core/kafka/watcher-status.js';
import { operatorTestCluster, startLeadingOperator, testSettings, waitFor, type Cluster, type RunningOperator } from '../operator/cluster-fixtures.js';

const opNs = 'netmap-kafka';
const appNs = 'kafka-app';

/**
 * The operator with its Kafka watcher on, as the ServiceAccount of config/rbac, on the real API
 * server. There is no kubelet here, so no broker log can be read (that needs the local
 * cluster's real node): this proves the wiring, the broker selection from the live pods, the
 * RBAC, and that a log that cannot be read is retried without harm to the rest.
 */
describe('operator: the Kafka watcher (real API server, no kubelet)', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let admin: CoreV1Api;
  let running: RunningOperator | undefined;

  async function running_(ns: string, name: string, restartCount: number): Promise<void> {
    await admin.patchNamespacedPodStatus(
      { namespace: ns, name, body: { status: { containerStatuses: [{ name: 'main', image: 'example.invalid/app:1', imageID: '', ready: true, restartCount, state: { running: { startedAt: new Date() } } }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  before(async () => {
    let operatorKc: KubeConfig;
    ({ cluster, operatorKc } = await operatorTestCluster(opNs, [appNs]));
    admin = cluster.admin.makeApiClient(CoreV1Api);
    await cluster.statefulSet(appNs, 'kafka', '10.250.6.1');
    await running_(appNs, 'kafka-0', 0);
    // A client, and a pod with the label but no running container yet.
    await cluster.deployment(appNs, 'orders', '10.250.6.2');
    await cluster.statefulSet(appNs, 'kafka-standby', '10.250.6.3').then(() => admin.patchNamespacedPod({ namespace: appNs, name: 'kafka-standby-0', body: { metadata: { labels: { app: 'kafka' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    running = await startLeadingOperator(operatorKc, testSettings(opNs, 'kafka', { kafka: { brokerSelector: { app: 'kafka' }, container: '', cursorConfigMap: 'kafka-cursors' } }));
  });

  after(async () => {
    await running?.stop();
  });

  it('follows the running broker pods the selector names, keeps running while their log cannot be read, and saves its cursors', async () => {
    const kafka = running!.operator.kafka!;
    await kafka.sync();
    const followed = await waitFor('the broker followed', async () => {
      const brokers = kafka.status().brokers;
      return brokers.length > 0 ? brokers : undefined;
    });
    expect(followed.map((b) => `${b.namespace}/${b.name}`)).to.deep.equal([`${appNs}/kafka-0`]);

    // The standby's container starts: it is followed from the next sync on.
    await running_(appNs, 'kafka-standby-0', 0);
    await kafka.sync();
    expect(kafka.status().brokers.map((b) => b.name)).to.deep.equal(['kafka-0', 'kafka-standby-0']);
    expect(running!.operator.isLeader).to.equal(true);

    await running!.stop();
    running = undefined;
    const saved = await admin.readNamespacedConfigMap({ namespace: opNs, name: 'kafka-cursors' });
    const cursors = decodeCursors(saved.data);
    const pod = await admin.readNamespacedPod({ namespace: appNs, name: 'kafka-0' });
    expect(cursors.get(`${appNs}.kafka-0`)).to.deep.equal({ source: { podUid: pod.metadata!.uid, container: 'main', restartCount: 0 }, linesAtLast: 0 });
    // The status `kubectl netmap status` shows: after the stop, nothing followed and nothing read.
    expect(decodeWatcherStatus(saved.data?.status)).to.deep.include({ brokers: [], accessLines: 0 });
  });

  it('leaves no connection behind that fails once idle (an uncaught error would fail this test)', async () => {
    // undici closes idle connections after 4 s; the log streams once shared the operator's HTTP/2 pool and threw then.
    await new Promise((resolve) => setTimeout(resolve, 8000));
  });
});
