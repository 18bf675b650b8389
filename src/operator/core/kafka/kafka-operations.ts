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

const unknown: OperationLookup = { known: false };
/** The two spellings the authorizers write (`DESCRIBE_CONFIGS`, `DescribeConfigs`), looked up without normalising every line. */
const bySpelling = new Map<string, OperationLookup>();
for (const [key, operation] of byKafkaName) bySpelling.set(key, { known: true, operation });
for (const spelling of ['ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'CREATE_TOKENS', 'DESCRIBE_TOKENS']) {
  const lookup = bySpelling.get(spelling.replaceAll('_', '').toLowerCase())!;
  bySpelling.set(spelling, lookup);
  bySpelling.set(spelling.split('_').map((w) => w.charAt(0) + w.slice(1).toLowerCase()).join(''), lookup);
}

/** The Otterize operation for an operation name as either authorizer writes it (any case, with or without underscores). */
export function otterizeOperation(kafkaName: string): OperationLookup {
  return bySpelling.get(kafkaName) ?? bySpelling.get(kafkaName.replaceAll('_', '').toLowerCase()) ?? unknown;
}

const operationOrder = new Map<string, number>(kafkaOperations.map((op, i) => [op, i]));

/** The CRD's order, so that one set of operations is always written the same way. */
export function compareOperations(a: KafkaOperation, b: KafkaOperation): number {
  return operationOrder.get(a)! - operationOrder.get(b)!;
}

export function isKafkaOperation(value: string): value is KafkaOperation {
  return operationOrder.has(value);
}
