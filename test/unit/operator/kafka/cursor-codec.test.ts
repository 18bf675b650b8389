import { expect } from 'chai';
import { decodeCursors, encodeCursors } from '../../../../src/operator/core/kafka/cursor-codec.js';
import { LogCursor, parseStamp } from '../../../../src/operator/core/kafka/log-cursor.js';

describe('Kafka cursor codec', () => {
  it('round-trips nanosecond positions exactly, and leaves out what does not decode', () => {
    const cursor = new LogCursor({ podUid: 'u', container: 'kafka', restartCount: 1 });
    cursor.accept(parseStamp('2026-12-07T04:00:01.123456789Z')!);
    const cursors = new Map([['kafka.kafka-0', cursor.state()], ['kafka.kafka-1', new LogCursor({ podUid: 'v', container: 'broker', restartCount: 0 }).state()]]);
    const data = encodeCursors(cursors);
    expect(JSON.parse(data['kafka.kafka-0']!)).to.deep.equal({ podUid: 'u', container: 'kafka', restartCount: 1, last: `${Date.parse('2026-12-07T04:00:01Z') / 1000}.123456789`, linesAtLast: 1 });
    expect(decodeCursors(data)).to.deep.equal(cursors);
    expect(decodeCursors({ ...data, 'x.bad': '{', 'x.worse': '{"podUid":1}', 'x.odd': '{"podUid":"w","container":"k","restartCount":0,"last":"1.5","linesAtLast":1}' }).get('x.odd')).to.deep.equal({
      source: { podUid: 'w', container: 'k', restartCount: 0 },
      linesAtLast: 0,
    });
    expect([...decodeCursors({ 'x.bad': '{', 'x.worse': '{"podUid":1}' }).keys()]).to.deep.equal([]);
    // The watcher's status sits in the same ConfigMap: not a cursor.
    expect([...decodeCursors({ ...data, status: data['kafka.kafka-0']! }).keys()]).to.deep.equal(['kafka.kafka-0', 'kafka.kafka-1']);
    expect(decodeCursors(undefined).size).to.equal(0);
  });
});
