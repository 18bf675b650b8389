import type { TargetView } from '../target-view.js';

type KafkaView = Extract<TargetView, { type: 'kafka' }>;

/**
 * A Kafka target as the reference CLI lists it: the broker, then one line per topic (after a
 * newline; `renderList` indents them under the target),
 *   - kafka in namespace kafka
 *     - Kafka topic: orders, operations: [produce describe]
 * (Go's `%s` of the operations slice: brackets, spaces between).
 */
export function describeKafkaTarget(view: KafkaView): string {
  const topics = view.topics.map((t) => `\nKafka topic: ${t.name}, operations: [${t.operations.join(' ')}]`).join('');
  return `${view.name} in namespace ${view.namespace}${topics}`;
}

/** The edge's label in `visualize` and `serve`: `topic:op,op` per topic (no spaces: labels are merged on spaces). */
export function kafkaEdgeLabel(view: KafkaView): string {
  return view.topics.length === 0 ? 'Kafka' : view.topics.map((t) => `${t.name}:${t.operations.join(',')}`).join(' ');
}

/**
 * What `diff` compares for a Kafka target: one entry per topic operation, since the Intents
 * Operator turns each into its own ACL (a declared target lacking one blocks it under enforcement).
 */
export function kafkaComparables(view: KafkaView): { key: string; text: string; topic: string; operation: string }[] {
  const broker = `${view.name}.${view.namespace}`;
  const out = view.topics.flatMap((t) =>
    t.operations.map((operation) => ({ key: kafkaKey(broker, t.name, operation), text: `${view.name} in namespace ${view.namespace}: Kafka topic ${t.name}, ${operation}`, topic: t.name, operation })),
  );
  return out.length > 0 ? out : [{ key: kafkaKey(broker, '', ''), text: `${view.name} in namespace ${view.namespace} (Kafka)`, topic: '', operation: '' }];
}

function kafkaKey(broker: string, topic: string, operation: string): string {
  return `kafka:${broker}:${topic}:${operation}`;
}

/**
 * Whether a declared Kafka entry covers an observed one: the same broker and topic (or the topic
 * `*`, Kafka's literal wildcard) and the same operation (or `all`).
 */
export function kafkaCovers(declaredKey: string, observedKey: string): boolean {
  if (!declaredKey.startsWith('kafka:') || !observedKey.startsWith('kafka:')) return false;
  const [, dBroker, dTopic, dOp] = declaredKey.split(':');
  const [, oBroker, oTopic, oOp] = observedKey.split(':');
  return dBroker === oBroker && (dTopic === oTopic || dTopic === '*') && (dOp === oOp || dOp === 'all');
}
