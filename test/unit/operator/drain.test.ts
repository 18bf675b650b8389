import { expect } from 'chai';
import { Registry } from 'prom-client';
import { waitUntilDrained } from '../../../src/operator/core/drain.js';
import { reconciled, type ReconcileResult } from '../../../src/operator/core/reconcile.js';
import { Controller } from '../../../src/operator/shell/controller.js';
import { createOperatorMetrics } from '../../../src/operator/shell/metrics.js';
import { createLogger } from '../../../src/shared/logger.js';
import { ManualClock } from '../../support/test-clock.js';

/** Lets the workers' promises run; no time passes on the ManualClock. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('the shutdown flush waits on the queues turning idle, not on a polling timer', () => {
  function setUp(reconcile: () => Promise<ReconcileResult>): { c: Controller<{ id: string }>; clock: ManualClock } {
    const clock = new ManualClock(1_000_000);
    const c = new Controller<{ id: string }>({
      name: 'drain-test',
      reconciler: { reconcile },
      idOf: (r) => r.id,
      workers: 1,
      log: createLogger('drain-test', 'error'),
      metrics: createOperatorMetrics(new Registry()),
      rateLimiter: { baseMs: 5, maxMs: 20, qps: 1000, burst: 1000 },
      clock,
    });
    c.start();
    return { c, clock };
  }

  it('ends as soon as the last write is done, with no time passing and only its deadline on the clock', async () => {
    let undelivered = 1;
    let finish: () => void = () => undefined;
    const { c, clock } = setUp(async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      undelivered--;
      return reconciled;
    });
    c.enqueue({ id: 'web' });
    await settle();
    let result: boolean | undefined;
    void waitUntilDrained(() => undelivered === 0 && c.idle, () => [c.nextIdle()], clock, 10_000).then((r) => (result = r));
    await settle();
    expect(result).to.equal(undefined);
    // The deadline is the one timer: nothing polls.
    expect(clock.pending).to.equal(1);
    finish();
    await settle();
    expect(result).to.equal(true);
    expect(clock.now()).to.equal(1_000_000);
    expect(clock.pending, 'the deadline is cleared').to.equal(0);
    await c.stop();
  });

  it('waits through a retry on the clock (the backoff, not a poll interval) and re-checks only when the queue turns idle', async () => {
    let calls = 0;
    let undelivered = 1;
    const { c, clock } = setUp(async () => {
      calls++;
      if (calls === 1) throw new Error('write refused once');
      undelivered--;
      return reconciled;
    });
    c.enqueue({ id: 'web' });
    let checks = 0;
    let result: boolean | undefined;
    void waitUntilDrained(() => (checks++, undelivered === 0 && c.idle), () => [c.nextIdle()], clock, 10_000).then((r) => (result = r));
    await settle();
    expect(calls).to.equal(1);
    expect(result).to.equal(undefined);
    clock.advance(5);
    await settle();
    expect(calls).to.equal(2);
    expect(result).to.equal(true);
    // Checked at the start, after the failed attempt turned the queue idle, and after the retry.
    expect(checks).to.be.at.most(4);
    await c.stop();
  });

  it('gives up at its deadline when something is never delivered, and says so', async () => {
    const { c, clock } = setUp(async () => reconciled);
    let result: boolean | undefined;
    void waitUntilDrained(() => false, () => [c.nextIdle()], clock, 10_000).then((r) => (result = r));
    clock.advance(9_999);
    await settle();
    expect(result).to.equal(undefined);
    clock.advance(1);
    await settle();
    expect(result).to.equal(false);
    await c.stop();
  });
});
