import { expect } from 'chai';
import { connection, fixtureClock, leadingOperatorSuite, waitFor } from './cluster-fixtures.js';

const opNs = 'netmap-expiry';
const appNs = 'expiry-app';

describe('optional expiry of targets not seen again (real API server)', function () {
  this.timeout(60_000);
  const suite = leadingOperatorSuite(opNs, [appNs], 'expiry', { targetExpiryMs: 5000 });

  it('removes a stale target, then deletes the ClientIntents when nothing is left', async () => {
    await suite.cluster.deployment(appNs, 'worker', '10.246.0.10');
    await suite.cluster.deployment(appNs, 'queue', '10.246.0.11');
    await suite.cluster.observation(opNs, 'exp-1', { connections: [connection('10.246.0.10', '10.246.0.11', 5672), connection('10.246.0.10', '10.96.0.1', 443)] });
    await waitFor('two targets', async () => ((await suite.cluster.intents(appNs, 'worker'))?.spec.targets.length === 2 ? true : undefined));

    // The operator's time moves on past the expiry; nothing sleeps.
    fixtureClock.advance(5500);
    await suite.cluster.observation(opNs, 'exp-2', { connections: [connection('10.246.0.10', '10.96.0.1', 443)] });
    await waitFor('second window processed', async () => {
      const obj = (await suite.cluster.custom.getNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace: opNs, name: 'exp-2' })) as { status?: { phase?: string } };
      return obj.status?.phase === 'Processed' ? true : undefined;
    });
    suite.running.operator.maintainNow();
    const left = await waitFor('queue target expired', async () => {
      const ci = await suite.cluster.intents(appNs, 'worker');
      return ci?.spec.targets.length === 1 ? ci : undefined;
    });
    expect(left.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);

    fixtureClock.advance(5500);
    suite.running.operator.maintainNow();
    await waitFor('ClientIntents deleted', async () => ((await suite.cluster.intents(appNs, 'worker')) === undefined ? true : undefined));
  });
});
