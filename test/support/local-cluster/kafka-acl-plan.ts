import type { ClientIntentsSpec } from '../../../src/crds/client-intents.js';
import { kafkaBroker } from './kafka-demo.js';

/**
 * What Otterize's Intents Operator makes of the map in a Kafka broker (its kafkaacls package, read
 * for facts): plain data, checked against the ACLs read back from the real broker.
 */

/** The namespace and workload Otterize's chart runs its operator as (its ClientIntents are its own: Otterize writes no ACLs for it). */
export const otterizeOperatorWorkload = { namespace: 'otterize-system', workload: 'intents-operator' } as const;

/** Otterize's operations as the Intents Operator writes them into ACLs (Kafka's AclOperation names; its kafkaacls package). */
const aclOperation: Readonly<Record<string, string>> = {
  all: 'ALL', consume: 'READ', produce: 'WRITE', create: 'CREATE', delete: 'DELETE', alter: 'ALTER', describe: 'DESCRIBE',
  ClusterAction: 'CLUSTER_ACTION', DescribeConfigs: 'DESCRIBE_CONFIGS', AlterConfigs: 'ALTER_CONFIGS', IdempotentWrite: 'IDEMPOTENT_WRITE',
};

/** One ACL as `DemoKafkaClient acls` prints it: `TOPIC LITERAL orders User:CN=order-service.sales * WRITE ALLOW`. */
export type AclLine = string;

/**
 * The principal Otterize writes a client's ACLs for: `User:CN=<workload>.<namespace>`, followed by
 * the OU, O, L, ST and C of its own certificate's subject (ours has only a CN).
 */
export function otterizePrincipal(workload: string, namespace: string): string {
  return `User:CN=${workload}.${namespace}`;
}

/**
 * The ACLs the map asks for on `broker`: for each ClientIntents' kafka target naming it, an ALLOW
 * from any host per topic operation, for the workload's principal. Otterize writes none for its own
 * operator's ClientIntents. Sorted, as `DemoKafkaClient acls` prints them.
 */
export function aclsFromMap(intents: readonly { namespace: string; spec: ClientIntentsSpec }[], broker: string): AclLine[] {
  const lines = new Set<AclLine>();
  for (const item of intents) {
    if (item.namespace === otterizeOperatorWorkload.namespace && item.spec.workload.name === otterizeOperatorWorkload.workload) continue;
    const principal = otterizePrincipal(item.spec.workload.name, item.namespace);
    for (const target of item.spec.targets) {
      if (!target.kafka || target.kafka.name !== broker) continue;
      for (const topic of target.kafka.topics ?? []) {
        for (const operation of topic.operations) lines.add(`TOPIC LITERAL ${topic.name} ${principal} * ${aclOperation[operation]} ALLOW`);
      }
    }
  }
  return [...lines].sort();
}

/**
 * The ACLs a KafkaServerConfig's topic `*` (literal, client identity required) makes: anonymous
 * clients denied every topic; with intents not yet required, every other principal allowed
 * everything (the map is learned, the ACLs written, nothing refused); and the consumer groups
 * open to every principal (Otterize's ClientIntents name topics only).
 */
export function serverConfigAcls(intentsRequired: boolean): AclLine[] {
  return [
    'GROUP LITERAL * User:* * DESCRIBE ALLOW',
    'GROUP LITERAL * User:* * READ ALLOW',
    'TOPIC LITERAL * User:ANONYMOUS * ALL DENY',
    ...(intentsRequired ? [] : ['TOPIC LITERAL * User:* * ALL ALLOW']),
  ].sort();
}

/** The ClientIntents Otterize's operator gets once it administers the broker: it watches the API server and, as a super user, lists every topic's metadata. */
export function otterizeOperatorKafkaTargets(topics: readonly string[]): string[] {
  return ['service:kubernetes.default', `kubernetes:${kafkaBroker}#StatefulSet`, `kafka:${kafkaBroker} topics[${[...topics].sort().map((t) => `${t}: describe`).join('; ')}]`];
}
