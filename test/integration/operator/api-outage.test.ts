import { expect } from 'chai';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { metricValue } from '../../support/metrics.js';
import { apiServerAddress, startTcpProxy, throughProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { connection, obsApi, startOperator, testSettings, waitFor, writesOf, type RunningOperator, operatorTestCluster, type Cluster } from './cluster-fixtures.js';

const opNs = 'netmap-outage';
const appNs = 'outage-app';
// Longer than the 15 s lease and than the 10 s a leader acts on one renewal.
const outageMs = 20_000;

const workload = (name: string): { kubernetes: { name: string; kind: string } } => ({ kubernetes: { name, kind: 'Deployment' } });

describe('the API server goes away and comes back (real API server behind a TCP proxy)', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  let kc: KubeConfig;
  let proxy: TcpProxy;
  let running: RunningOperator | undefined;

  before(async () => {
    ({ cluster, operatorKc: kc } = await operatorTestCluster(opNs, [appNs]));
    proxy = await startTcpProxy(apiServerAddress(kc));
  });

  after(async () => {
    proxy.resume();
    await running?.stop();
    await proxy.close();
  });

  it('recovers its informers and the lease, and writes what arrived meanwhile exactly once', async () => {
    running = startOperator(throughProxy(kc, proxy), testSettings(opNs, 'outage-1'));
    const { operator, registry } = running;
    await waitFor('ready and leading', async () => (operator.isReady() && operator.isLeader ? true : undefined));
    // Counted from here: a new leader may first rewrite managed ClientIntents that other tests
    // left in the shared control plane.
    const base = await settledWrites(registry);
    const writes = async (): Promise<number> => (await writesOf(registry, 'clientintents')) - base;
    for (const [name, ip] of [['web', '10.247.0.10'], ['api', '10.247.0.11'], ['db', '10.247.0.12'], ['cache', '10.247.0.13']] as const) await cluster.deployment(appNs, name, ip);

    await cluster.observation(opNs, 'before-1', { connections: [connection('10.247.0.10', '10.247.0.11', 8080)] });
    await waitFor('ClientIntents of web', () => cluster.intents(appNs, 'web'));
    await waitFor('the write counted', async () => ((await writes()) === 1 ? true : undefined));
    // And before-1 marked Processed, its answer back: a mark in flight when the proxy pauses can
    // land without its answer (counted as a network error), and is then never written again.
    await waitFor('before-1 marked', async () => ((await writesOf(registry, 'networkobservations/status')) === 1 ? true : undefined));
    const restartsBefore = await metricValue(registry, 'netmap_informer_restarts_total');

    proxy.pause();
    const pausedAt = Date.now();
    // Created directly (as admin) while the operator cannot see them.
    await cluster.observation(opNs, 'during-1', { connections: [connection('10.247.0.10', '10.247.0.12', 5432)] });
    await cluster.observation(opNs, 'during-2', { connections: [connection('10.247.0.11', '10.247.0.13', 6379)] });
    await cluster.observation(opNs, 'during-3', { connections: [connection('10.247.0.11', '10.247.0.12', 5432)] });
    // It cannot renew, so it steps down before the lease could pass to anybody else.
    await waitFor('the leader stepped down', async () => (!operator.isLeader ? true : undefined), 15_000);
    expect(Date.now() - pausedAt).to.be.below(15_000);
    expect(await metricValue(registry, 'netmap_leader')).to.equal(0);
    await new Promise((r) => setTimeout(r, Math.max(0, outageMs - (Date.now() - pausedAt))));
    expect(await metricValue(registry, 'netmap_informer_restarts_total')).to.be.above(restartsBefore);
    expect((await cluster.intents(appNs, 'web'))!.spec.targets).to.deep.equal([workload('api')]);
    expect(await cluster.intents(appNs, 'api')).to.equal(undefined);
    expect(await writes()).to.equal(1);

    proxy.resume();
    await waitFor('leading again', async () => (operator.isLeader ? true : undefined), 40_000);
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: opNs, name: 'network-mapper-operator' });
    expect(lease.spec?.holderIdentity).to.equal('outage-1');

    const api = await waitFor('ClientIntents of api', () => cluster.intents(appNs, 'api'), 60_000);
    expect(api.spec).to.deep.equal({ workload: { name: 'api', kind: 'Deployment' }, targets: [workload('cache'), workload('db')] });
    const web = await waitFor('web gained db', async () => {
      const object = await cluster.intents(appNs, 'web');
      return object?.spec.targets.length === 2 ? object : undefined;
    }, 60_000);
    expect(web.spec.targets).to.deep.equal([workload('api'), workload('db')]);
    for (const name of ['before-1', 'during-1', 'during-2', 'during-3']) {
      await waitFor(`${name} processed`, async () => {
        const object = (await cluster.custom.getNamespacedCustomObject({ ...obsApi, namespace: opNs, name })) as { status?: { phase?: string } };
        return object.status?.phase === 'Processed' ? true : undefined;
      });
    }
    // Each ClientIntents written once for the whole outage: web's update and api's creation.
    await waitFor('both writes counted', async () => ((await writes()) >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 3000));
    expect(await writes()).to.equal(3);
    expect(await writesOf(registry, 'networkobservations/status')).to.equal(4);
    expect(await metricValue(registry, 'netmap_observations_processed_total', { result: 'processed' })).to.equal(4);
    expect(operator.isReady()).to.equal(true);
  });

  it('stops leading on its own when its renewals hang, before the lease could pass to another replica', async () => {
    await running?.stop();
    running = startOperator(throughProxy(kc, proxy), testSettings(opNs, 'outage-2'));
    const { operator, registry } = running;
    await waitFor('ready and leading', async () => (operator.isReady() && operator.isLeader ? true : undefined), 30_000);
    // Every answer now takes 30 s: a renewal neither succeeds nor fails while the lease runs out.
    proxy.delayResponses(30_000);
    const slowSince = Date.now();
    await waitFor('the leader stepped down', async () => (!operator.isLeader ? true : undefined), 15_000);
    expect(Date.now() - slowSince).to.be.below(15_000);
    expect(await metricValue(registry, 'netmap_leader')).to.equal(0);
    proxy.resume();
    await waitFor('leading again', async () => (operator.isLeader ? true : undefined), 60_000);
  });
});

/** The ClientIntents write count once it has stopped moving for a second. */
async function settledWrites(registry: Parameters<typeof writesOf>[0]): Promise<number> {
  let last = await writesOf(registry, 'clientintents');
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await writesOf(registry, 'clientintents');
    if (now === last) return now;
    last = now;
  }
}
