import { expect } from 'chai';
import { LogCursor, parseStamp, planResume, splitStampedLine, type ContainerRef } from '../../../../src/operator/core/kafka/log-cursor.js';

const kafka0: ContainerRef = { podUid: 'uid-1', container: 'kafka', restartCount: 0 };

/** Feeds stamped lines through the cursor, returning those it takes as new. */
function read(cursor: LogCursor, lines: string[]): string[] {
  cursor.restart();
  return lines.flatMap((line) => {
    const stamped = splitStampedLine(line)!;
    return cursor.accept(stamped.stamp) ? [stamped.text] : [];
  });
}

describe('Kafka log cursor', () => {
  it('reads kubelet timestamps of any precision and zone, and splits the line', () => {
    expect(parseStamp('2026-12-07T04:00:01.5Z')).to.deep.equal({ seconds: Date.parse('2026-12-07T04:00:01Z') / 1000, nanos: 500_000_000 });
    expect(parseStamp('2026-12-07T04:00:01.000000123Z')!.nanos).to.equal(123);
    expect(parseStamp('2026-12-07T05:00:01+01:00')).to.deep.equal({ seconds: Date.parse('2026-12-07T04:00:01Z') / 1000, nanos: 0 });
    expect(parseStamp('[2026-12-07 04:00:01,123]')).to.equal(undefined);
    expect(splitStampedLine('2026-12-07T04:00:01.25Z [x] DEBUG Principal = ...')).to.deep.equal({
      stamp: { seconds: Date.parse('2026-12-07T04:00:01Z') / 1000, nanos: 250_000_000 },
      at: Date.parse('2026-12-07T04:00:01.250Z'),
      text: '[x] DEBUG Principal = ...',
    });
    expect(splitStampedLine('no stamp here')).to.equal(undefined);
  });

  it('resumes from sinceTime (whole seconds) without reading a line twice, also lines sharing one timestamp', () => {
    const cursor = new LogCursor(kafka0);
    expect(cursor.sinceTime()).to.equal(undefined);
    const first = ['2026-12-07T04:00:00.9Z a', '2026-12-07T04:00:01.1Z b', '2026-12-07T04:00:01.7Z c', '2026-12-07T04:00:01.7Z d'];
    expect(read(cursor, first)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(cursor.sinceTime()).to.equal('2026-12-07T04:00:01Z');
    // The API answers from 04:00:01 again: b, c and d come back, then the new lines (one with d's stamp).
    const again = ['2026-12-07T04:00:01.1Z b', '2026-12-07T04:00:01.7Z c', '2026-12-07T04:00:01.7Z d', '2026-12-07T04:00:01.7Z e', '2026-12-07T04:00:02Z f'];
    expect(read(cursor, again)).to.deep.equal(['e', 'f']);
    // Saved (as the shell writes it) and read back by another process: the same.
    const restored = new LogCursor(kafka0, cursor.state());
    expect(read(restored, [...again, '2026-12-07T04:00:02Z g', '2026-12-07T04:00:03Z h'])).to.deep.equal(['g', 'h']);
  });

  it('takes same-stamp lines within one stream as new', () => {
    const cursor = new LogCursor(kafka0);
    expect(read(cursor, ['2026-12-07T04:00:01Z a', '2026-12-07T04:00:01Z b', '2026-12-07T04:00:01Z c'])).to.deep.equal(['a', 'b', 'c']);
    expect(cursor.state().linesAtLast).to.equal(3);
  });

  it('plans the read after restarts of the broker or of network-mapper, and names what cannot be read back', () => {
    const saved = new LogCursor(kafka0, { last: parseStamp('2026-12-07T04:00:01Z')!, linesAtLast: 2 }).state();
    expect(planResume(undefined, kafka0).kind).to.equal('from-start');
    const resume = planResume(saved, kafka0);
    expect(resume.kind).to.equal('resume');
    expect(resume.kind === 'resume' && resume.cursor.sinceTime()).to.equal('2026-12-07T04:00:01Z');
    const restarted = planResume(saved, { ...kafka0, restartCount: 1 });
    expect(restarted.kind).to.equal('previous-then-current');
    if (restarted.kind === 'previous-then-current') {
      expect(restarted.previous.sinceTime()).to.equal('2026-12-07T04:00:01Z');
      expect(restarted.current.sinceTime()).to.equal(undefined);
      expect(restarted.current.source.restartCount).to.equal(1);
    }
    expect(planResume(saved, { ...kafka0, restartCount: 3 })).to.deep.include({ kind: 'from-start', gap: 'restarts-missed' });
    expect(planResume(saved, { ...kafka0, podUid: 'uid-2' })).to.deep.include({ kind: 'from-start', gap: 'pod-replaced' });
  });
});
