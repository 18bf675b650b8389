import { expect } from 'chai';
import { Registry } from 'prom-client';
import { TerminalError, requeueAfter, reconciled, type ReconcileResult } from '../../../src/operator/core/reconcile.js';
import { Controller } from '../../../src/operator/shell/controller.js';
import { createOperatorMetrics } from '../../../src/operator/shell/metrics.js';
import { createLogger } from '../../../src/shared/logger.js';

const until = async (probe: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Controller maps reconcile results onto its queue', () => {
  function controller(reconcile: (request: { id: string }) => Promise<ReconcileResult>): { c: Controller<{ id: string }>; registry: Registry } {
    const registry = new Registry();
    const c = new Controller<{ id: string }>({
      name: 'test',
      reconciler: { reconcile },
      idOf: (r) => r.id,
      workers: 1,
      log: createLogger('controller-test', 'error'),
      metrics: createOperatorMetrics(registry),
      rateLimiter: { baseMs: 5, maxMs: 20, qps: 1000, burst: 1000 },
    });
    c.start();
    return { c, registry };
  }

  async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
    const metric = await registry.getSingleMetric(name)?.get();
    return (metric?.values ?? []).filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((s, v) => s + v.value, 0);
  }

  it('retries a failure with backoff until it succeeds, counted per controller', async () => {
    let calls = 0;
    const { c, registry } = controller(async () => {
      calls++;
      if (calls < 3) throw new Error('API server away');
      return reconciled;
    });
    c.enqueue({ id: 'a' });
    await until(() => calls === 3);
    await c.stop();
    expect(await counter(registry, 'netmap_queue_retries_total', { controller: 'test' })).to.equal(2);
    expect(await counter(registry, 'netmap_reconcile_errors_total', { controller: 'test', type: 'retry' })).to.equal(2);
  });

  it('does not retry a TerminalError', async () => {
    let calls = 0;
    const { c, registry } = controller(async () => {
      calls++;
      throw new TerminalError('cannot be fixed by trying again');
    });
    c.enqueue({ id: 'a' });
    await until(() => calls === 1);
    await new Promise((r) => setTimeout(r, 60));
    await c.stop();
    expect(calls).to.equal(1);
    expect(await counter(registry, 'netmap_reconcile_errors_total', { controller: 'test', type: 'terminal' })).to.equal(1);
  });

  it('comes back after requeueAfterMs', async () => {
    const seen: number[] = [];
    const { c } = controller(async () => {
      seen.push(Date.now());
      return seen.length === 1 ? requeueAfter(40) : reconciled;
    });
    c.enqueue({ id: 'a' });
    await until(() => seen.length === 2);
    await c.stop();
    expect(seen[1]! - seen[0]!).to.be.at.least(35);
  });
});
