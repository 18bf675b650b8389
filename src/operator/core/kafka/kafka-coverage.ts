import type { IntentsTarget } from '../../../crds/client-intents.js';

type KafkaTarget = NonNullable<IntentsTarget['kafka']>;

/**
 * The part of an observed `kafka` target that a user's targets do not grant: per topic, the
 * operations no declared target of the same broker covers (the same topic or the topic `*`,
 * Kafka's literal wildcard; the same operation or `all`). Undefined when everything is covered.
 * A user's ClientIntents with the broker but fewer topics still lacks topics: under enforcement
 * Otterize's ACLs would refuse them.
 */
export function uncoveredKafka(observed: KafkaTarget, declared: readonly IntentsTarget[]): KafkaTarget | undefined {
  const grants = declared.flatMap((t) => (t.kafka && t.kafka.name === observed.name ? (t.kafka.topics ?? []) : []));
  const topics = (observed.topics ?? []).flatMap((topic) => {
    const operations = topic.operations.filter((op) => !grants.some((g) => (g.name === topic.name || g.name === '*') && (g.operations.includes(op) || g.operations.includes('all'))));
    return operations.length > 0 ? [{ name: topic.name, operations }] : [];
  });
  return topics.length > 0 ? { name: observed.name, topics } : undefined;
}
