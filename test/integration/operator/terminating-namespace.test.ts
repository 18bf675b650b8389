import type { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { connection, observationProcessed, startOperator, testSettings, waitFor, writesOf, type RunningOperator, operatorTestCluster, type Cluster } from './cluster-fixtures.js';

const opNs = 'netmap-terminating';
const goneNs = 'term-gone';
const stayNs = 'term-stay';

async function writeErrorsOf(running: RunningOperator, resource: string): Promise<number> {
  const metric = await running.registry.getSingleMetric('netmap_write_errors_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.resource === resource).reduce((sum, v) => sum + v.value, 0);
}

/**
 * The test control plane runs no namespace controller, so a deleted namespace stays Terminating
 * (deletionTimestamp set, its objects still there), as a real one does while it drains.
 */
describe('a Terminating namespace is gone for the operator (real API server)', function () {
  this.timeout(90_000);
  let cluster: Cluster;
  let running: RunningOperator | undefined;

  const processed = (name: string): Promise<void> => observationProcessed(cluster, opNs, name);

  before(async () => {
    let operatorKc: KubeConfig;
    ({ cluster, operatorKc } = await operatorTestCluster(opNs, [goneNs, stayNs]));
    running = startOperator(operatorKc, testSettings(opNs, 'terminating'));
    await waitFor('operator leading', async () => (running!.operator.isReady() && running!.operator.isLeader ? true : undefined));
  });

  after(async () => {
    await running?.stop();
  });

  it('makes no write attempt into it, and targets elsewhere naming its workloads go', async () => {
    await cluster.deployment(goneNs, 'doomed', '10.251.0.10');
    await cluster.deployment(stayNs, 'caller', '10.251.0.20');
    await cluster.deployment(stayNs, 'keeper', '10.251.0.21');
    await cluster.observation(opNs, 'term-1', {
      connections: [connection('10.251.0.20', '10.251.0.10', 8080), connection('10.251.0.20', '10.251.0.21', 8080), connection('10.251.0.10', '10.96.0.1', 443)],
    });
    await processed('term-1');
    await waitFor('caller with two targets', async () => ((await cluster.intents(stayNs, 'caller'))?.spec.targets.length === 2 ? true : undefined));
    const doomedBefore = await waitFor('doomed written', () => cluster.intents(goneNs, 'doomed'));

    await cluster.core.deleteNamespace({ name: goneNs });
    const terminating = await cluster.core.readNamespace({ name: goneNs });
    expect(terminating.metadata?.deletionTimestamp).to.not.equal(undefined);
    // Targets naming its workloads go from clients elsewhere.
    const caller = await waitFor('doomed target gone from caller', async () => {
      const ci = await cluster.intents(stayNs, 'caller');
      return ci?.spec.targets.length === 1 ? ci : undefined;
    });
    expect(caller.spec.targets).to.deep.equal([{ kubernetes: { name: 'keeper', kind: 'Deployment' } }]);

    const attemptsBefore = (await writesOf(running!.registry, 'clientintents')) + (await writeErrorsOf(running!, 'clientintents'));
    await cluster.observation(opNs, 'term-2', {
      connections: [connection('10.251.0.10', '10.251.0.21', 8080), connection('10.251.0.20', '10.251.0.10', 8080), connection('10.251.0.20', '10.251.0.21', 8080)],
    });
    await processed('term-2');
    await new Promise((r) => setTimeout(r, 1000));
    const attemptsAfter = (await writesOf(running!.registry, 'clientintents')) + (await writeErrorsOf(running!, 'clientintents'));
    expect(attemptsAfter - attemptsBefore, 'ClientIntents write attempts after the namespace went').to.equal(0);
    expect((await writeErrorsOf(running!, 'clientintents/status')) + (await writeErrorsOf(running!, 'events'))).to.equal(0);
    const doomedAfter = await cluster.intents(goneNs, 'doomed');
    expect(doomedAfter?.metadata?.resourceVersion).to.equal(doomedBefore.metadata?.resourceVersion);
    expect((await cluster.intents(stayNs, 'caller'))?.spec.targets).to.deep.equal([{ kubernetes: { name: 'keeper', kind: 'Deployment' } }]);
  });
});
