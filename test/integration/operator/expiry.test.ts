import type { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { connection, startOperator, testSettings, waitFor, type RunningOperator, operatorTestCluster, type Cluster } from './cluster-fixtures.js';

const opNs = 'netmap-expiry';
const appNs = 'expiry-app';

describe('optional expiry of targets not seen again (real API server)', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  let running: RunningOperator | undefined;

  before(async () => {
    let operatorKc: KubeConfig;
    ({ cluster, operatorKc } = await operatorTestCluster(opNs, [appNs]));
    running = startOperator(operatorKc, testSettings(opNs, 'expiry', { targetExpiryMs: 5000 }));
    await waitFor('operator leading', async () => (running!.operator.isReady() && running!.operator.isLeader ? true : undefined));
  });

  after(async () => {
    await running?.stop();
  });

  it('removes a stale target, then deletes the ClientIntents when nothing is left', async () => {
    await cluster.deployment(appNs, 'worker', '10.246.0.10');
    await cluster.deployment(appNs, 'queue', '10.246.0.11');
    await cluster.observation(opNs, 'exp-1', { connections: [connection('10.246.0.10', '10.246.0.11', 5672), connection('10.246.0.10', '10.96.0.1', 443)] });
    await waitFor('two targets', async () => ((await cluster.intents(appNs, 'worker'))?.spec.targets.length === 2 ? true : undefined));

    await new Promise((r) => setTimeout(r, 5500));
    await cluster.observation(opNs, 'exp-2', { connections: [connection('10.246.0.10', '10.96.0.1', 443)] });
    await waitFor('second window processed', async () => {
      const obj = (await cluster.custom.getNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace: opNs, name: 'exp-2' })) as { status?: { phase?: string } };
      return obj.status?.phase === 'Processed' ? true : undefined;
    });
    running!.operator.maintainNow();
    const left = await waitFor('queue target expired', async () => {
      const ci = await cluster.intents(appNs, 'worker');
      return ci?.spec.targets.length === 1 ? ci : undefined;
    });
    expect(left.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);

    await new Promise((r) => setTimeout(r, 5500));
    running!.operator.maintainNow();
    await waitFor('ClientIntents deleted', async () => ((await cluster.intents(appNs, 'worker')) === undefined ? true : undefined));
  });
});
