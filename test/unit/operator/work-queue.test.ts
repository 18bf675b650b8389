import { expect } from 'chai';
import { WorkQueue, type Timers } from '../../../src/operator/core/work-queue.js';
import { decideLease } from '../../../src/operator/core/lease-decision.js';

class ManualTimers implements Timers {
  now = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.fn();
  }
}

function queue(): { q: WorkQueue; timers: ManualTimers } {
  const timers = new ManualTimers();
  return { q: new WorkQueue(timers, { baseMs: 100, maxMs: 1000 }, () => timers.now), timers };
}

describe('WorkQueue', () => {
  it('deduplicates keys that wait', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.depth).to.equal(2);
    expect(await q.next()).to.equal('a');
    expect(await q.next()).to.equal('b');
    expect(q.depth).to.equal(0);
  });

  it('never hands out a key being processed; a key added meanwhile comes back after done()', async () => {
    const { q } = queue();
    q.add('a');
    const key = await q.next();
    q.add('a');
    expect(q.depth).to.equal(0);
    let second: string | undefined;
    void q.next().then((k) => (second = k));
    await Promise.resolve();
    expect(second).to.equal(undefined);
    q.done(key!);
    await Promise.resolve();
    expect(second).to.equal('a');
  });

  it('retries with per-key exponential backoff, capped, reset by forget()', () => {
    const { q, timers } = queue();
    expect([q.retry('a'), q.retry('a'), q.retry('a'), q.retry('a'), q.retry('a')]).to.deep.equal([100, 200, 400, 800, 1000]);
    expect(q.retry('b')).to.equal(100);
    q.forget('a');
    expect(q.retry('a')).to.equal(100);
    expect(q.depth).to.equal(0);
    timers.advance(99);
    expect(q.depth).to.equal(0);
    timers.advance(1);
    expect(q.depth).to.equal(2);
  });

  it('keeps the earliest of several delayed adds, and shutdown releases waiters', async () => {
    const { q, timers } = queue();
    q.addAfter('a', 500);
    q.addAfter('a', 100);
    q.addAfter('a', 900);
    timers.advance(100);
    expect(q.depth).to.equal(1);
    timers.advance(1000);
    expect(q.depth).to.equal(1);
    await q.next();
    const waiting = q.next();
    q.shutdown();
    expect(await waiting).to.equal(undefined);
  });
});

describe('decideLease', () => {
  it('acquires a free or lapsed lease, renews its own, waits for a live holder', () => {
    expect(decideLease(undefined, 'me', 0)).to.deep.equal({ action: 'acquire', transitions: 0 });
    expect(decideLease({ holderIdentity: 'me', renewTime: 0, leaseDurationSeconds: 15 }, 'me', 1)).to.deep.equal({ action: 'renew' });
    expect(decideLease({ holderIdentity: 'other', renewTime: 0, leaseDurationSeconds: 15, leaseTransitions: 2 }, 'me', 10_000)).to.deep.equal({ action: 'wait', holder: 'other' });
    expect(decideLease({ holderIdentity: 'other', renewTime: 0, leaseDurationSeconds: 15, leaseTransitions: 2 }, 'me', 16_000)).to.deep.equal({ action: 'acquire', transitions: 3 });
  });
});
