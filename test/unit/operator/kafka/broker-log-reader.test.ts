import { expect } from 'chai';
import { AccessWindow } from '../../../../src/operator/core/kafka/access-window.js';
import { BrokerLogReader } from '../../../../src/operator/core/kafka/broker-log-reader.js';
import { LogCursor } from '../../../../src/operator/core/kafka/log-cursor.js';
import { base, layout, standardMessage, type AuditFields } from './authorizer-fixtures.js';

const line = (stamp: string, fields: Partial<AuditFields> = {}): string => `${stamp} ${layout(standardMessage({ ...base, ...fields }), fields.allowed ?? true)}\n`;

/** The text in chunks of `size` characters, as a stream would cut it. */
function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

describe('BrokerLogReader', () => {
  it('turns a request\'s chunks into grouped accesses and counted lines, and a resume reads nothing twice', () => {
    const cursor = new LogCursor({ podUid: 'u', container: 'kafka', restartCount: 0 });
    const window = new AccessWindow(100);
    const first =
      line('2026-12-07T04:00:00.5Z') +
      line('2026-12-07T04:00:01.25Z', { operation: 'READ', request: 'Fetch', host: '10.0.1.6' }) +
      '2026-12-07T04:00:01.25Z [2026-12-07 04:00:01,250] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)\n' +
      line('2026-12-07T04:00:01.5Z', { allowed: false, resourceName: 'secret' }) +
      'a line without a timestamp\n' +
      line('2026-12-07T04:00:01.75Z', { resourceName: 'x'.repeat(300) }) +
      '2026-12-07T04:00:01.75Z unfinished';
    const reader = new BrokerLogReader(cursor, window, 400);
    for (const chunk of chunks(first, 7)) reader.push(chunk);
    reader.end();
    expect(reader.lastLineAt).to.equal(Date.parse('2026-12-07T04:00:01.5Z'));
    const one = window.flush();
    expect(one.groups.map((g) => [g.host, g.topic, g.operation, g.count])).to.deep.equal([
      ['10.244.1.7', 'orders', 'produce', 1],
      ['10.0.1.6', 'orders', 'consume', 1],
    ]);
    expect(Object.fromEntries(one.ignored)).to.deep.equal({ 'not-authorizer': 1, denied: 1, 'no-timestamp': 1, 'line-too-long': 1 });

    // Resumed from 04:00:01 (sinceTime has whole seconds): the lines of that second come again.
    const again =
      line('2026-12-07T04:00:01.25Z', { operation: 'READ', request: 'Fetch', host: '10.0.1.6' }) +
      '2026-12-07T04:00:01.25Z [2026-12-07 04:00:01,250] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)\n' +
      line('2026-12-07T04:00:01.5Z', { allowed: false, resourceName: 'secret' }) +
      line('2026-12-07T04:00:01.75Z', { resourceName: 'shipping' }) +
      line('2026-12-07T04:00:02Z', { resourceName: 'shipping', operation: 'DESCRIBE' });
    const resumed = new BrokerLogReader(cursor, window, 400);
    for (const chunk of chunks(again, 50)) resumed.push(chunk);
    resumed.end();
    expect(resumed.alreadyRead).to.equal(3);
    const two = window.flush();
    expect(two.groups.map((g) => [g.topic, g.operation])).to.deep.equal([
      ['shipping', 'produce'],
      ['shipping', 'describe'],
    ]);
    expect(two.ignored.size).to.equal(0);
  });
});
