import { expect } from 'chai';
import { WorkQueue } from '../../../src/operator/core/work-queue.js';
import { ManualClock } from '../../support/test-clock.js';
import { ControllerRateLimiter } from '../../../src/operator/core/rate-limiter.js';
import { decideLease } from '../../../src/operator/core/lease-decision.js';

function queue(): { q: WorkQueue<string>; timers: ManualClock } {
  const timers = new ManualClock();
  // A bucket too large to matter here: these tests are about the per-key backoff.
  const limiter = new ControllerRateLimiter({ baseMs: 100, maxMs: 1000, qps: 1000, burst: 1000 });
  return { q: new WorkQueue<string>({ timers, limiter, now: () => timers.now(), idOf: (key) => key }), timers };
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
    expect(decideLease(undefined, 'me', 0, 0)).to.deep.equal({ action: 'acquire', transitions: 0 });
    expect(decideLease({ holderIdentity: 'me', renewTime: 0, leaseDurationSeconds: 15 }, 'me', 1, 0)).to.deep.equal({ action: 'renew' });
    expect(decideLease({ holderIdentity: 'other', renewTime: 0, leaseDurationSeconds: 15, leaseTransitions: 2 }, 'me', 10_000, 0)).to.deep.equal({ action: 'wait', holder: 'other' });
    expect(decideLease({ holderIdentity: 'other', renewTime: 0, leaseDurationSeconds: 15, leaseTransitions: 2 }, 'me', 16_000, 0)).to.deep.equal({ action: 'acquire', transitions: 3 });
  });
});

describe('WorkQueue with typed keys', () => {
  interface ClientRequest {
    readonly namespace: string;
    readonly workload: { readonly name: string; readonly kind?: string };
  }
  const idOf = (r: ClientRequest): string => JSON.stringify([r.namespace, r.workload.name, r.workload.kind ?? null]);

  it('hands out the request itself, whatever characters its names hold', async () => {
    const timers = new ManualClock();
    const q = new WorkQueue<ClientRequest>({ timers, limiter: new ControllerRateLimiter(), now: () => timers.now(), idOf });
    const slashed: ClientRequest = { namespace: 'shop', workload: { name: 'team/a/checkout' } };
    q.add(slashed);
    q.add({ namespace: 'shop', workload: { name: 'team/a/checkout' } });
    q.add({ namespace: 'shop/team', workload: { name: 'a/checkout' } });
    expect(q.depth).to.equal(2);
    expect(await q.next()).to.deep.equal(slashed);
    expect(await q.next()).to.deep.equal({ namespace: 'shop/team', workload: { name: 'a/checkout' } });
  });

  it('keeps a Deployment and a CronJob of one name apart', async () => {
    const timers = new ManualClock();
    const q = new WorkQueue<ClientRequest>({ timers, limiter: new ControllerRateLimiter(), now: () => timers.now(), idOf });
    q.add({ namespace: 'shop', workload: { name: 'web', kind: 'Deployment' } });
    q.add({ namespace: 'shop', workload: { name: 'web', kind: 'CronJob' } });
    expect(q.depth).to.equal(2);
  });

  it('reports adds, retries and how long a key waited', async () => {
    const timers = new ManualClock();
    const seen = { added: 0, retried: 0, waits: [] as number[] };
    const q = new WorkQueue<string>({
      timers,
      limiter: new ControllerRateLimiter({ baseMs: 100, maxMs: 1000, qps: 1000, burst: 1000 }),
      now: () => timers.now(),
      idOf: (k) => k,
      observer: { added: () => seen.added++, retried: () => seen.retried++, waited: (ms) => seen.waits.push(ms) },
    });
    q.add('a');
    q.add('a');
    timers.advance(50);
    const key = await q.next();
    q.retry(key!);
    q.done(key!);
    timers.advance(100);
    await q.next();
    expect(seen).to.deep.equal({ added: 2, retried: 1, waits: [50, 0] });
  });
});
