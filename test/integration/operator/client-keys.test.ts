import type { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { connection, observationProcessed, startOperator, testSettings, waitFor, type ClientIntentsRead, type RunningOperator, operatorTestCluster, type Cluster } from './cluster-fixtures.js';

const opNs = 'netmap-keys';
const appNs = 'keys-app';
const raceNs = 'keys-race';

describe('typed client keys: kind in the key, any name the webhook allows (real API server)', function () {
  this.timeout(90_000);
  let cluster: Cluster;
  let running: RunningOperator | undefined;

  const processed = (name: string): Promise<void> => observationProcessed(cluster, opNs, name);

  async function intentsOfWorkload(namespace: string, name: string, count: number): Promise<ClientIntentsRead[]> {
    return waitFor(`${count} ClientIntents for ${namespace}/${name}`, async () => {
      const found = (await cluster.listIntents(namespace)).filter((ci) => ci.spec.workload.name === name);
      return found.length === count ? found : undefined;
    });
  }

  before(async () => {
    let operatorKc: KubeConfig;
    ({ cluster, operatorKc } = await operatorTestCluster(opNs, [appNs, raceNs]));
    running = startOperator(operatorKc, testSettings(opNs, 'keys'));
    await waitFor('operator leading', async () => (running!.operator.isReady() && running!.operator.isLeader ? true : undefined));
  });

  after(async () => {
    await running?.stop();
  });

  it('writes a Deployment and a CronJob named web as two ClientIntents, and neither flips', async () => {
    await cluster.deployment(appNs, 'web', '10.250.0.10');
    await cluster.cronJob(appNs, 'web', '10.250.0.11');
    await cluster.observation(opNs, 'keys-1', { connections: [connection('10.250.0.10', '10.96.0.1', 443)] });
    await processed('keys-1');
    await cluster.observation(opNs, 'keys-2', { connections: [connection('10.250.0.11', '10.250.0.10', 8080)] });
    await processed('keys-2');
    await intentsOfWorkload(appNs, 'web', 2);
    for (let round = 3; round <= 5; round++) {
      await cluster.observation(opNs, `keys-${round}`, { connections: [connection('10.250.0.10', '10.96.0.1', 443), connection('10.250.0.11', '10.250.0.10', 8080)] });
      await processed(`keys-${round}`);
    }
    const byName = new Map((await intentsOfWorkload(appNs, 'web', 2)).map((ci) => [ci.metadata!.name!, ci.spec]));
    expect(Object.fromEntries(byName)).to.deep.equal({
      web: { workload: { name: 'web', kind: 'Deployment' }, targets: [{ service: { name: 'kubernetes.default' } }] },
      'web-cronjob': { workload: { name: 'web', kind: 'CronJob' }, targets: [{ kubernetes: { name: 'web', kind: 'Deployment' } }] },
    });
  });

  it('two kinds of one name first seen in the same observation still get two objects', async () => {
    await cluster.deployment(raceNs, 'web', '10.250.1.10');
    await cluster.cronJob(raceNs, 'web', '10.250.1.11');
    await cluster.observation(opNs, 'race-1', { connections: [connection('10.250.1.10', '10.96.0.1', 443), connection('10.250.1.11', '10.96.0.1', 443)] });
    await processed('race-1');
    const both = await intentsOfWorkload(raceNs, 'web', 2);
    expect(both.map((ci) => ci.spec.workload.kind).sort()).to.deep.equal(['CronJob', 'Deployment']);
    // Whichever is planned first keeps the plain name; the other adds its kind.
    expect(both.map((ci) => ci.metadata!.name).sort().join(',')).to.be.oneOf(['web,web-cronjob', 'web,web-deployment']);
  });

  it('writes an override name with / like any other, as client and as target', async () => {
    await cluster.deployment(appNs, 'checkout', '10.250.0.20', { 'intents.otterize.com/workload-name': 'team/checkout' });
    await cluster.deployment(appNs, 'caller', '10.250.0.21');
    await cluster.observation(opNs, 'slash-1', { connections: [connection('10.250.0.20', '10.96.0.1', 443), connection('10.250.0.21', '10.250.0.20', 8080)] });
    await processed('slash-1');
    const [checkout] = await intentsOfWorkload(appNs, 'team/checkout', 1);
    expect(checkout!.spec).to.deep.equal({ workload: { name: 'team/checkout' }, targets: [{ service: { name: 'kubernetes.default' } }] });
    expect(checkout!.metadata?.name).to.match(/^team-checkout-[0-9a-f]{8}$/);
    const [caller] = await intentsOfWorkload(appNs, 'caller', 1);
    expect(caller!.spec.targets).to.deep.equal([{ kubernetes: { name: 'team/checkout' } }]);
  });
});
