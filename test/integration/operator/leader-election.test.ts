import { expect } from 'chai';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { connection, obsApi, startOperator, testSettings, waitFor, writesOf, type RunningOperator, operatorTestCluster, type Cluster } from './cluster-fixtures.js';

const opNs = 'netmap-lead';
const appNs = 'lead-app';

async function allWrites(r: RunningOperator): Promise<number> {
  let sum = 0;
  for (const resource of ['clientintents', 'clientintents/status', 'networkobservations/status', 'networkobservations', 'events']) sum += await writesOf(r.registry, resource);
  return sum;
}

describe('two operator replicas with one leader (real API server, Lease)', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let kc: KubeConfig;
  const replicas: RunningOperator[] = [];

  before(async () => {
    ({ cluster, operatorKc: kc } = await operatorTestCluster(opNs, [appNs]));
  });

  after(async () => {
    for (const r of replicas) await r.stop();
  });

  it('only the leader writes; when it stops, the other takes over', async () => {
    const settings = { observationRetentionMs: 1000 };
    replicas.push(startOperator(kc, testSettings(opNs, 'replica-1', settings)), startOperator(kc, testSettings(opNs, 'replica-2', settings)));
    await waitFor('both ready, exactly one leader', async () =>
      replicas.every((r) => r.operator.isReady()) && replicas.filter((r) => r.operator.isLeader).length === 1 ? true : undefined,
    );
    const leader = replicas.find((r) => r.operator.isLeader)!;
    const follower = replicas.find((r) => !r.operator.isLeader)!;
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: opNs, name: 'network-mapper-operator' });
    expect(lease.spec?.holderIdentity).to.equal(leader === replicas[0] ? 'replica-1' : 'replica-2');

    await cluster.deployment(appNs, 'web', '10.245.0.10');
    await cluster.deployment(appNs, 'api', '10.245.0.11');
    await cluster.observation(opNs, 'lead-1', { connections: [connection('10.245.0.10', '10.245.0.11', 8080)] });
    await waitFor('ClientIntents of web', () => cluster.intents(appNs, 'web'));
    // The object can be visible before the operator has handled the answer to its own write.
    await waitFor('the leader counted its write', async () => ((await writesOf(leader.registry, 'clientintents')) > 0 ? true : undefined));
    expect(await writesOf(leader.registry, 'clientintents')).to.equal(1);
    expect(await allWrites(follower)).to.equal(0);

    // Processed observations are deleted after the retention (1 s here), so the backlog shrinks.
    await waitFor('processed observation deleted', async () => {
      const gone = await cluster.custom.getNamespacedCustomObject({ ...obsApi, namespace: opNs, name: 'lead-1' }).then(
        () => false,
        (error: { code?: number }) => error.code === 404,
      );
      return gone ? true : undefined;
    });

    await leader.stop();
    replicas.splice(replicas.indexOf(leader), 1);
    await waitFor('the follower leads', async () => (follower.operator.isLeader ? true : undefined));
    await cluster.observation(opNs, 'lead-2', { connections: [connection('10.245.0.11', '10.96.0.1', 443)] });
    const api = await waitFor('ClientIntents of api', () => cluster.intents(appNs, 'api'));
    expect(api.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);
    await waitFor('the new leader counted its write', async () => ((await writesOf(follower.registry, 'clientintents')) > 0 ? true : undefined));
    expect(await writesOf(follower.registry, 'clientintents')).to.equal(1);
  });
});
