import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type V1Pod, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '../wait-for.js';
import type { ExpectedEdge } from './expected-map.js';
import { listIntents, mapDifferences, type ExpectedIntents } from './expected-intents.js';
import { demoDir } from './internet.js';

/** The demo's Kafka broker and its clients (demo/kafka.yaml). */
export function kafkaDemoYaml(): string {
  return readFileSync(join(demoDir, 'kafka.yaml'), 'utf8');
}

/** The broker workload as Otterize names a kafka target: `name.namespace`. */
export const kafkaBroker = 'kafka.kafka';

/** Each client's topics and operations (Otterize's names, the CRD's order), as the broker's authorizer allowed them. */
export const kafkaClients = [
  { namespace: 'sales', workload: 'order-service', topics: [{ name: 'orders', operations: ['produce', 'describe'] }] },
  { namespace: 'logistics', workload: 'shipper', topics: [{ name: 'orders', operations: ['consume', 'describe'] }, { name: 'shipping', operations: ['produce', 'describe'] }] },
  { namespace: 'audit', workload: 'topic-auditor', topics: [{ name: 'orders', operations: ['describe'] }, { name: 'shipping', operations: ['describe'] }] },
] as const;

/**
 * The demo's Kafka part of the map: each client is a TCP client of the broker's StatefulSet (the
 * sniffer) and a kafka client with exactly its topics and operations (the watcher). The broker
 * calls nothing outside its pod (its controller and its topic set-up are on loopback).
 */
export const kafkaIntents: readonly ExpectedIntents[] = kafkaClients.map((c) => ({
  namespace: c.namespace, workload: c.workload, kind: 'Deployment',
  targets: [
    `kubernetes:${kafkaBroker}#StatefulSet`,
    `kafka:${kafkaBroker} topics[${c.topics.map((t) => `${t.name}: ${[...t.operations].sort().join(',')}`).join('; ')}]`,
  ],
}));

/** The same, as `kubectl netmap export` writes the ClientIntents. */
export const kafkaIntentsDocuments = kafkaClients.map((c) => ({
  apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: c.workload, namespace: c.namespace },
  spec: { workload: { name: c.workload, kind: 'Deployment' }, targets: [
    { kubernetes: { name: kafkaBroker, kind: 'StatefulSet' } },
    { kafka: { name: kafkaBroker, topics: c.topics.map((t) => ({ name: t.name, operations: [...t.operations] })) } },
  ] },
}));

/** The clients' connections to the broker's pod, for the main command's diagnosis of a map that did not converge. */
export const kafkaEdges: readonly ExpectedEdge[] = kafkaClients.map((c) => ({ client: { namespace: c.namespace, app: c.workload }, pods: { namespace: 'kafka', app: 'kafka', port: 9092 } }));

/** Waits until the Kafka clients' ClientIntents are exactly the expected ones (the broker and three JVMs start in about half a minute). */
export async function waitForKafkaMap(kc: KubeConfig, timeoutMs: number): Promise<void> {
  let differences: string[] = [];
  await waitFor('the Kafka clients\' ClientIntents', async () => {
    const observed = (await listIntents(kc)).filter((i) => kafkaClients.some((c) => c.namespace === i.namespace));
    differences = mapDifferences(kafkaIntents, observed);
    return differences.length === 0;
  }, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}: ${differences.join('; ')}`, { cause: error });
  });
}

/** Waits until the broker is Ready and each client has logged a call that worked (its JVM is up). */
export async function waitForKafkaReady(kc: KubeConfig, timeoutMs: number): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const ready = async (): Promise<boolean> => {
    const broker = await core.readNamespacedPod({ name: 'kafka-0', namespace: 'kafka' });
    if (!broker.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return false;
    for (const c of kafkaClients) {
      const [pod] = (await core.listNamespacedPod({ namespace: c.namespace, labelSelector: `app=${c.workload}` })).items;
      if (!pod || pod.status?.phase !== 'Running') return false;
      const log = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: c.namespace, tailLines: 50 });
      if (!/ -> (ok|[1-9]\d* records)$/m.test(log)) return false;
    }
    return true;
  };
  // Once a second: each try reads four pods and three logs.
  await waitFor('the Kafka broker Ready and its clients working', async () => (await ready()) || new Promise<false>((resolve) => setTimeout(() => resolve(false), 1000)), timeoutMs)
    .catch(async (error: Error) => {
      throw new Error(`${error.message}:\n${await kafkaPodsState(core)}`, { cause: error });
    });
}

/** What a failed start leaves to read: each Kafka pod's phase, restarts, last exit and last log lines (the pods are gone after the test). */
async function kafkaPodsState(core: CoreV1Api): Promise<string> {
  const lines: string[] = [];
  for (const namespace of ['kafka', ...kafkaClients.map((c) => c.namespace)]) {
    const { items } = await core.listNamespacedPod({ namespace }).catch(() => ({ items: [] as V1Pod[] }));
    for (const pod of items) {
      const status = pod.status?.containerStatuses?.[0];
      const exited = status?.lastState?.terminated;
      lines.push(`${namespace}/${pod.metadata?.name}: ${pod.status?.phase}, ${status?.restartCount ?? 0} restarts${exited ? `, last exit ${exited.exitCode} (${exited.reason ?? ''})` : ''}`);
      const name = pod.metadata!.name!;
      const log = await core.readNamespacedPodLog({ name, namespace, tailLines: 8, previous: (status?.restartCount ?? 0) > 0 }).catch(() => '');
      lines.push(...log.trim().split('\n').filter(Boolean).map((line) => `  | ${line}`));
    }
  }
  return lines.join('\n');
}
