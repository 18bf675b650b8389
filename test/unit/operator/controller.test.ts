import { expect } from 'chai';
import { Registry } from 'prom-client';
import { TerminalError, requeueAfter, reconciled, type ReconcileResult } from '../../../src/operator/core/reconcile.js';
import { Controller } from '../../../src/operator/shell/controller.js';
import { createOperatorMetrics } from '../../../src/operator/shell/metrics.js';
import { createLogger } from '../../../src/shared/logger.js';
import { ManualClock } from '../../support/test-clock.js';

/** Lets the workers' promises run (no time passes: the controller's time is the ManualClock's). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('Controller maps reconcile results onto its queue', () => {
  function controller(reconcile: (request: { id: string }) => Promise<ReconcileResult>): { c: Controller<{ id: string }>; registry: Registry; clock: ManualClock } {
    const registry = new Registry();
    const clock = new ManualClock(1_000_000);
    const c = new Controller<{ id: string }>({
      name: 'test',
      reconciler: { reconcile },
      idOf: (r) => r.id,
      workers: 1,
      log: createLogger('controller-test', 'error'),
      metrics: createOperatorMetrics(registry),
      rateLimiter: { baseMs: 5, maxMs: 20, qps: 1000, burst: 1000 },
      clock,
    });
    c.start();
    return { c, registry, clock };
  }

  async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
    const metric = await registry.getSingleMetric(name)?.get();
    return (metric?.values ?? []).filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((s, v) => s + v.value, 0);
  }

  it('retries a failure with backoff until it succeeds, counted per controller', async () => {
    let calls = 0;
    const { c, registry, clock } = controller(async () => {
      calls++;
      if (calls < 3) throw new Error('API server away');
      return reconciled;
    });
    c.enqueue({ id: 'a' });
    await settle();
    expect(calls).to.equal(1);
    // The key's own backoff: 5 ms, then 10 ms.
    clock.advance(4);
    await settle();
    expect(calls).to.equal(1);
    clock.advance(1);
    await settle();
    expect(calls).to.equal(2);
    clock.advance(9);
    await settle();
    expect(calls).to.equal(2);
    clock.advance(1);
    await settle();
    expect(calls).to.equal(3);
    expect(clock.pending).to.equal(0);
    await c.stop();
    expect(await counter(registry, 'netmap_queue_retries_total', { controller: 'test' })).to.equal(2);
    expect(await counter(registry, 'netmap_reconcile_errors_total', { controller: 'test', type: 'retry' })).to.equal(2);
  });

  it('does not retry a TerminalError', async () => {
    let calls = 0;
    const { c, registry, clock } = controller(async () => {
      calls++;
      throw new TerminalError('cannot be fixed by trying again');
    });
    c.enqueue({ id: 'a' });
    await settle();
    expect(clock.pending).to.equal(0);
    clock.advance(60_000);
    await settle();
    await c.stop();
    expect(calls).to.equal(1);
    expect(await counter(registry, 'netmap_reconcile_errors_total', { controller: 'test', type: 'terminal' })).to.equal(1);
  });

  it('comes back after requeueAfterMs', async () => {
    const seen: number[] = [];
    const { c, clock } = controller(async () => {
      seen.push(clock.now());
      return seen.length === 1 ? requeueAfter(40) : reconciled;
    });
    c.enqueue({ id: 'a' });
    await settle();
    clock.advance(39);
    await settle();
    expect(seen).to.have.length(1);
    clock.advance(1);
    await settle();
    await c.stop();
    expect(seen).to.deep.equal([1_000_000, 1_000_040]);
  });
});
