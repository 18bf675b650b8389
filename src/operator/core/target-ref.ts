import type { IntentsTarget } from '../../crds/client-intents.js';
import { compareOperations, isKafkaOperation, type KafkaOperation } from './kafka/kafka-operations.js';

/** A target of one client, before ports are attached: the unit evidence is kept for. */
export type TargetRef =
  | { readonly type: 'kubernetes'; readonly name: string; readonly kind?: string }
  | { readonly type: 'service'; readonly name: string }
  | { readonly type: 'internet'; readonly domain: string }
  /** One operation on one topic of a Kafka broker workload (`name.namespace`): evidence and age are per operation. */
  | { readonly type: 'kafka'; readonly name: string; readonly topic: string; readonly operation: KafkaOperation };

const typeOrder = { kubernetes: 0, service: 1, internet: 2, kafka: 3 } as const;

export function targetKey(ref: TargetRef): string {
  switch (ref.type) {
    case 'kubernetes':
      return ref.kind ? `kubernetes:${ref.name}#${ref.kind}` : `kubernetes:${ref.name}`;
    case 'service':
      return `service:${ref.name}`;
    case 'internet':
      return `internet:${ref.domain}`;
    case 'kafka':
      // Neither a workload name nor a topic name can hold ':'.
      return `kafka:${ref.name}:${ref.topic}:${ref.operation}`;
  }
}

/** Kubernetes targets, then Services, then internet, then Kafka; each by name, then kind (Kafka: topic, then operation). */
export function compareTargetRefs(a: TargetRef, b: TargetRef): number {
  if (a.type !== b.type) return typeOrder[a.type] - typeOrder[b.type];
  const nameA = a.type === 'internet' ? a.domain : a.name;
  const nameB = b.type === 'internet' ? b.domain : b.name;
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  if (a.type === 'kafka' && b.type === 'kafka') return a.topic !== b.topic ? (a.topic < b.topic ? -1 : 1) : compareOperations(a.operation, b.operation);
  const kindA = a.type === 'kubernetes' ? (a.kind ?? '') : '';
  const kindB = b.type === 'kubernetes' ? (b.kind ?? '') : '';
  return kindA < kindB ? -1 : kindA > kindB ? 1 : 0;
}

export function toIntentsTarget(ref: TargetRef, ports: readonly number[]): IntentsTarget {
  switch (ref.type) {
    case 'kubernetes':
      return { kubernetes: ref.kind ? { name: ref.name, kind: ref.kind } : { name: ref.name } };
    case 'service':
      return { service: { name: ref.name } };
    case 'internet':
      return { internet: ports.length > 0 ? { domains: [ref.domain], ports: [...ports] } : { domains: [ref.domain] } };
    case 'kafka':
      return { kafka: { name: ref.name, topics: [{ name: ref.topic, operations: [ref.operation] }] } };
  }
}

/**
 * The spec's targets for refs sorted by compareTargetRefs: one per ref, except that a Kafka
 * broker's topic operations make one `kafka` target (topics by name, operations in the CRD's order).
 */
export function toIntentsTargets(entries: readonly { ref: TargetRef; ports: readonly number[] }[]): IntentsTarget[] {
  const out: IntentsTarget[] = [];
  let broker: { name: string; topics: { name: string; operations: KafkaOperation[] }[] } | undefined;
  for (const { ref, ports } of entries) {
    if (ref.type !== 'kafka') {
      broker = undefined;
      out.push(toIntentsTarget(ref, ports));
      continue;
    }
    if (broker?.name !== ref.name) {
      broker = { name: ref.name, topics: [] };
      out.push({ kafka: broker });
    }
    const last = broker.topics.at(-1);
    if (last?.name === ref.topic) last.operations.push(ref.operation);
    else broker.topics.push({ name: ref.topic, operations: [ref.operation] });
  }
  return out;
}

/** Reads a written target back (after a restart); internet targets become one ref per domain, Kafka ones one per topic operation. */
export function fromIntentsTarget(target: IntentsTarget): { ref: TargetRef; ports: number[] }[] {
  if (target.kubernetes) {
    const { name, kind } = target.kubernetes;
    return [{ ref: kind ? { type: 'kubernetes', name, kind } : { type: 'kubernetes', name }, ports: [] }];
  }
  if (target.service) return [{ ref: { type: 'service', name: target.service.name }, ports: [] }];
  if (target.internet) {
    const ports = target.internet.ports ?? [];
    return (target.internet.domains ?? []).map((domain) => ({ ref: { type: 'internet', domain }, ports: [...ports] }));
  }
  if (target.kafka) {
    const name = target.kafka.name;
    return (target.kafka.topics ?? []).flatMap((topic) =>
      topic.operations.filter(isKafkaOperation).map((operation) => ({ ref: { type: 'kafka' as const, name, topic: topic.name, operation }, ports: [] })),
    );
  }
  return [];
}
