import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { ciApi, connection, obsApi, waitFor, operatorTestCluster, type Cluster } from './cluster-fixtures.js';
import { kubeconfigFile, refuseClientIntentsWrites, startOperatorProcess, type OperatorProcess } from './operator-process.js';

const opNs = 'netmap-deliver';
const appNs = 'deliver-app';

/**
 * At-least-once delivery, with operator processes as they run in their Deployment. An admission
 * policy refusing ClientIntents writes holds the leader deterministically between "resolved the
 * observation" and "wrote the ClientIntents".
 */
describe('at-least-once delivery: a leader that dies or stops loses no target (operator processes, real API server)', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  let kubeconfig: string;
  const processes: OperatorProcess[] = [];
  /** Set while the policy is in force, so a failed test does not leave it for the next. */
  let allowWrites: (() => Promise<void>) | undefined;

  async function phase(name: string): Promise<string | undefined> {
    const obj = (await cluster.custom.getNamespacedCustomObject({ ...obsApi, namespace: opNs, name })) as { status?: { phase?: string } };
    return obj.status?.phase;
  }

  async function holder(): Promise<string | undefined> {
    const lease = await cluster.admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: opNs, name: 'network-mapper-operator' }).catch(() => undefined);
    return lease?.spec?.holderIdentity;
  }

  /** Until the policy is in force, an admin's ClientIntents is still admitted. */
  async function refuse(): Promise<() => Promise<void>> {
    const allow = await refuseClientIntentsWrites(cluster.admin, appNs);
    allowWrites = allow;
    await waitFor('the admission policy refuses ClientIntents writes', async () => {
      const body = { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'probe', namespace: appNs }, spec: { workload: { name: 'probe' }, targets: [{ service: { name: 'probe' } }] } };
      try {
        await cluster.custom.createNamespacedCustomObject({ ...ciApi, namespace: appNs, body });
        await cluster.custom.deleteNamespacedCustomObject({ ...ciApi, namespace: appNs, name: 'probe' });
        return undefined;
      } catch {
        return true;
      }
    });
    return async () => {
      allowWrites = undefined;
      await allow();
    };
  }

  function logged(p: OperatorProcess, match: (line: Record<string, unknown>) => boolean): Promise<true> {
    return waitFor('log line', async () => (p.logs.some(match) ? true : undefined), 30_000);
  }

  before(async () => {
    let operatorKc: KubeConfig;
    ({ cluster, operatorKc } = await operatorTestCluster(opNs, [appNs]));
    kubeconfig = kubeconfigFile(operatorKc);
    await cluster.deployment(appNs, 'web', '10.252.0.10');
    await cluster.deployment(appNs, 'api', '10.252.0.11');
    await cluster.statefulSet(appNs, 'db', '10.252.0.12');
  });

  afterEach(async () => {
    await allowWrites?.();
  });

  after(() => {
    for (const p of processes) p.child.kill('SIGKILL');
  });

  it('a leader killed after reading an observation and before writing: the other replica writes every target', async () => {
    const allow = await refuse();
    const a = startOperatorProcess(kubeconfig, { OBSERVATION_NAMESPACE: opNs, OBSERVATION_SETTLE_SECONDS: '0', POD_NAME: 'deliver-a' });
    processes.push(a);
    await waitFor('deliver-a leads', async () => ((await holder()) === 'deliver-a' ? true : undefined), 30_000);
    const b = startOperatorProcess(kubeconfig, { OBSERVATION_NAMESPACE: opNs, OBSERVATION_SETTLE_SECONDS: '0', POD_NAME: 'deliver-b' });
    processes.push(b);
    await logged(b, (l) => l.message === 'operator started');

    await cluster.observation(opNs, 'deliver-1', {
      connections: [connection('10.252.0.10', '10.252.0.11', 8080), connection('10.252.0.10', '10.252.0.12', 5432), connection('10.252.0.10', '10.96.0.1', 443), connection('10.252.0.11', '10.252.0.12', 5432)],
    });
    await logged(a, (l) => l.message === 'observation resolved' && l.name === 'deliver-1');
    await logged(a, (l) => l.message === 'reconcile failed; will retry' && l.controller === 'client-intents');
    a.child.kill('SIGKILL');
    await a.exited;
    expect(await phase('deliver-1'), 'not marked before its ClientIntents are written').to.not.equal('Processed');

    await allow();
    const web = await waitFor('web written by the other replica', () => cluster.intents(appNs, 'web'), 60_000);
    expect(web.spec).to.deep.equal({
      workload: { name: 'web', kind: 'Deployment' },
      targets: [{ kubernetes: { name: 'api', kind: 'Deployment' } }, { kubernetes: { name: 'db', kind: 'StatefulSet' } }, { service: { name: 'kubernetes.default' } }],
    });
    const api = await waitFor('api written', () => cluster.intents(appNs, 'api'));
    expect(api.spec.targets).to.deep.equal([{ kubernetes: { name: 'db', kind: 'StatefulSet' } }]);
    await waitFor('deliver-1 processed', async () => ((await phase('deliver-1')) === 'Processed' ? true : undefined));
    expect(await holder()).to.equal('deliver-b');
  });

  it("a SIGTERM'd leader writes what it has resolved before it releases the Lease", async () => {
    const b = processes.find((p) => p.child.exitCode === null && p.child.signalCode === null)!;
    const allow = await refuse();
    await cluster.observation(opNs, 'deliver-2', { connections: [connection('10.252.0.12', '10.96.0.1', 443), connection('10.252.0.11', '10.252.0.10', 8080)] });
    await logged(b, (l) => l.message === 'observation resolved' && l.name === 'deliver-2');
    await logged(b, (l) => l.message === 'reconcile failed; will retry' && l.controller === 'client-intents');
    b.child.kill('SIGTERM');
    await allow();
    expect(await b.exited).to.equal(0);
    // Nobody else runs: whatever is there now, the stopping leader wrote.
    expect((await cluster.intents(appNs, 'db'))?.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);
    expect((await cluster.intents(appNs, 'api'))?.spec.targets).to.deep.equal([{ kubernetes: { name: 'db', kind: 'StatefulSet' } }, { kubernetes: { name: 'web', kind: 'Deployment' } }]);
    expect(await phase('deliver-2')).to.equal('Processed');
    expect(await holder(), 'the Lease released').to.equal(undefined);
    const flushed = b.logs.findIndex((l) => l.message === 'flushed before releasing the lease');
    const stopped = b.logs.findIndex((l) => l.message === 'stopped leading');
    expect(flushed).to.be.greaterThan(-1);
    expect(flushed).to.be.lessThan(stopped);
  });
});
