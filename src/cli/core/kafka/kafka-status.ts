import type { WatcherStatus } from '../../../operator/core/kafka/watcher-status.js';

/** The leader rewrites its status every 30 s while it follows a broker; older than this, nobody is updating it. */
export const kafkaStatusStaleMs = 2 * 60_000;

/**
 * `status`'s Kafka watcher section (docs/kafka.md), from what the leader wrote into the cursor
 * ConfigMap: brokers followed and their last line, lines by result, gaps. A problem when the
 * status is stale while an operator leads, or when brokers are beyond the bound.
 */
export function kafkaStatusLines(status: WatcherStatus | 'unreadable', now: number, ago: (ms: number) => string, leading: boolean): { lines: string[]; problems: string[] } {
  if (status === 'unreadable') return { lines: ['Kafka watcher: its status in the cursor ConfigMap cannot be read (another version of network-mapper?)'], problems: [] };
  const lines = [`Kafka watcher (status written ${ago(status.at)} ago):`];
  const problems: string[] = [];
  if (status.brokers.length === 0) lines.push('  no broker followed (none selected: a KafkaServerConfig, or KAFKA_BROKER_SELECTOR)');
  for (const b of status.brokers) lines.push(`  ${b.namespace}/${b.name}: ${b.lastLineAt === undefined ? 'no line read yet' : `last line ${ago(b.lastLineAt)} ago`}`);
  const counts = (record: Readonly<Record<string, number>>): string =>
    Object.entries(record)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none';
  lines.push(`  lines read by this leader: ${status.accessLines} topic accesses; ignored: ${counts(status.ignored)}`);
  lines.push(`  accesses whose client was not named: ${counts(status.unresolved)}`);
  if (Object.keys(status.gaps).length > 0) lines.push(`  logs not read back in full: ${counts(status.gaps)}`);
  if (status.brokersLeftOut > 0) problems.push(`${status.brokersLeftOut} Kafka broker pod(s) beyond the watcher's bound (32) are not followed`);
  if (leading && now - status.at > kafkaStatusStaleMs) problems.push(`the Kafka watcher's status was last written ${ago(status.at)} ago: the leader is not running it (its log says why)`);
  return { lines, problems };
}
