import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { CoreV1Api } from '@kubernetes/client-node';
import { controlPlaneBinary } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';
import type { LocalCluster } from '../../support/local-cluster/local-cluster.js';

/** A Kafka log line's time (`[2026-12-07 07:41:52,078]`, the container's zone: UTC). */
const kafkaLineTime = (line: string): number => Date.parse(`${line.slice(1, 24).replace(' ', 'T').replace(',', '.')}Z`);

/**
 * The demo's Kafka (demo/kafka.yaml, applied with the demo): the real broker from the Kafka image,
 * and its clients working. Their map is part of the end-to-end test's exact export.
 */
export function describeKafka(cluster: () => LocalCluster): void {
  const kubectl = (...args: string[]): string => {
    const result = spawnSync(controlPlaneBinary(), ['kubectl', '--kubeconfig', cluster().controlPlane.kubeconfigPath, ...args], { encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  it('runs a real Kafka 4.1.1 broker (KRaft, combined, StandardAuthorizer, allowed operations logged, TLS client certificates required) as a StatefulSet, its heap bounded: start time and RSS', async () => {
    const core = cluster().admin.makeApiClient(CoreV1Api);
    const pod = await waitFor('the broker pod Ready', async () => {
      const read = await core.readNamespacedPod({ name: 'kafka-0', namespace: 'kafka' });
      return read.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? read : undefined;
    }, 90_000);
    const log = await core.readNamespacedPodLog({ name: 'kafka-0', namespace: 'kafka' });
    const started = log.split('\n').find((line) => line.includes('Kafka Server started (kafka.server.KafkaRaftServer)'));
    expect(started, 'the broker logged its start').to.be.a('string');
    expect(log).to.match(/Kafka version: 4\.1\.1/);
    expect(log).to.match(/authorizer\.class\.name = org\.apache\.kafka\.metadata\.authorizer\.StandardAuthorizer/);
    // The producer's TLS identity: its certificate's subject is its principal.
    expect(log).to.match(/DEBUG Principal = User:CN=order-service\.sales is Allowed operation = WRITE from host = [0-9.]+ on resource = Topic:LITERAL:orders/);
    expect(log).to.match(/listeners = SSL:\/\/:9092,INTERNAL:\/\/localhost:9094,CONTROLLER:\/\/localhost:9093/);
    expect(log).to.match(/ssl\.client\.auth = required/);
    const containerStarted = Date.parse(pod.status!.containerStatuses![0]!.state!.running!.startedAt! as unknown as string);
    const status = kubectl('exec', '-n', 'kafka', 'kafka-0', '--', 'cat', '/proc/1/status', '/proc/1/cmdline');
    const rssMiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
    expect(status).to.include('-Xmx256m');
    expect(rssMiB, 'the broker\'s RSS (MiB) under its memory limit').to.be.within(100, 768);
    console.log(`local-cluster: Kafka 4.1.1 broker (-Xmx256m) started ${((kafkaLineTime(started!) - containerStarted) / 1000).toFixed(1)} s after its container; RSS ${rssMiB.toFixed(0)} MiB`);
  });

  it('runs the demo\'s Kafka clients: the producer\'s records acknowledged, the consumer group relaying them, the auditor describing both topics', async () => {
    const logs = (namespace: string, workload: string): string => kubectl('logs', '-n', namespace, `deploy/${workload}`, '--tail=200');
    await waitFor('the clients\' successful calls', () => {
      const all = [logs('sales', 'order-service'), logs('logistics', 'shipper'), logs('audit', 'topic-auditor')].join('\n');
      return ['kafka://orders/produce -> ok', 'kafka://shipping/produce -> ok', 'kafka://orders/describe -> ok', 'kafka://shipping/describe -> ok'].every((line) => all.includes(line))
        && /kafka:\/\/orders\/consume -> [1-9]\d* records/.test(all);
    }, 60_000);
    const rss = ['sales', 'logistics', 'audit'].map((namespace) => {
      const pod = kubectl('get', 'pods', '-n', namespace, '-o', 'jsonpath={.items[0].metadata.name}');
      return Number(/VmRSS:\s+(\d+) kB/.exec(kubectl('exec', '-n', namespace, pod, '--', 'cat', '/proc/1/status'))?.[1]) / 1024;
    });
    console.log(`local-cluster: Kafka clients (-Xmx48m) RSS ${rss.map((r) => `${r.toFixed(0)} MiB`).join(', ')}`);
  });
}
