import { kafkaOperations } from '../../../crds/client-intents.js';

/** An operation as Otterize's ClientIntents CRD enumerates it (`kafka.topics[].operations`). */
export type KafkaOperation = (typeof kafkaOperations)[number];

/**
 * Kafka's ACL operations (`org.apache.kafka.common.acl.AclOperation`) by their name with the
 * underscores dropped, lower case: the StandardAuthorizer logs the enum name (`DESCRIBE_CONFIGS`),
 * the older AclAuthorizer its PascalCase form (`DescribeConfigs`); both reduce to one key.
 * The value is the Otterize operation granting it (the Intents Operator maps consume to READ and
 * produce to WRITE), or null for Kafka operations Otterize cannot express.
 */
const byKafkaName: ReadonlyMap<string, KafkaOperation | null> = new Map<string, KafkaOperation | null>([
  ['all', 'all'],
  ['read', 'consume'],
  ['write', 'produce'],
  ['create', 'create'],
  ['delete', 'delete'],
  ['alter', 'alter'],
  ['describe', 'describe'],
  ['clusteraction', 'ClusterAction'],
  ['describeconfigs', 'DescribeConfigs'],
  ['alterconfigs', 'AlterConfigs'],
  ['idempotentwrite', 'IdempotentWrite'],
  ['createtokens', null],
  ['describetokens', null],
]);

export type OperationLookup = { readonly known: true; readonly operation: KafkaOperation | null } | { readonly known: false };

/** The Otterize operation for an operation name as either authorizer writes it. */
export function otterizeOperation(kafkaName: string): OperationLookup {
  const operation = byKafkaName.get(kafkaName.replaceAll('_', '').toLowerCase());
  return operation === undefined ? { known: false } : { known: true, operation };
}

const operationOrder = new Map<string, number>(kafkaOperations.map((op, i) => [op, i]));

/** The CRD's order, so that one set of operations is always written the same way. */
export function compareOperations(a: KafkaOperation, b: KafkaOperation): number {
  return operationOrder.get(a)! - operationOrder.get(b)!;
}

export function isKafkaOperation(value: string): value is KafkaOperation {
  return operationOrder.has(value);
}
