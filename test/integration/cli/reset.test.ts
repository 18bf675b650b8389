import { expect } from 'chai';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { exitCodes } from '../../../src/cli/core/exit-codes.js';
import { runCli } from '../../../src/cli/shell/run-cli.js';
import { startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { installCrds } from '../../support/crds.js';
import { runCliProcess } from './cli-process.js';

const ci = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' };
const obs = { group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations' };
const managed = { 'app.kubernetes.io/managed-by': 'network-mapper' };

function intents(namespace: string, name: string, labels: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name, namespace, labels }, spec: { workload: { name }, targets: [{ kubernetes: { name: 'db' } }] } };
}

function observation(name: string): Record<string, unknown> {
  return {
    apiVersion: 'netmap.dev/v1alpha1',
    kind: 'NetworkObservation',
    metadata: { name, namespace: 'network-mapper', labels: { 'app.kubernetes.io/managed-by': 'netmap-sniffer' } },
    spec: { nodeName: 'node-a', windowStart: '2026-11-26T03:00:00Z', windowEnd: '2026-11-26T03:00:10Z', dnsAnswers: [], connections: [] },
  };
}

/** Its own control plane: reset deletes cluster-wide, which must not reach other suites' objects. */
describe('kubectl netmap reset against a real API server', function () {
  this.timeout(180_000);
  let controlPlane: ControlPlane;
  let admin: KubeConfig;
  let custom: CustomObjectsApi;

  const names = async (namespace: string, resource: typeof ci): Promise<string[]> => {
    const list = (await custom.listNamespacedCustomObject({ ...resource, namespace })) as { items: { metadata: { name: string } }[] };
    return list.items.map((i) => i.metadata.name).sort();
  };

  before(async () => {
    controlPlane = await startControlPlane();
    admin = controlPlane.admin();
    await installCrds(admin);
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of ['shop', 'billing', 'network-mapper']) await core.createNamespace({ body: { metadata: { name } } });
    custom = admin.makeApiClient(CustomObjectsApi);
    for (const body of [intents('shop', 'web', managed), intents('shop', 'users-own', { team: 'shop' }), intents('billing', 'payments', managed)]) {
      await custom.createNamespacedCustomObject({ ...ci, namespace: (body.metadata as { namespace: string }).namespace, body });
    }
    for (const name of ['node-a-1', 'node-a-2']) await custom.createNamespacedCustomObject({ ...obs, namespace: 'network-mapper', body: observation(name) });
  });

  after(async () => {
    await controlPlane?.stop();
  });

  it('refuses without --yes when stdin is not a terminal, and deletes nothing', async () => {
    const run = await runCliProcess(['reset'], { KUBECONFIG: controlPlane.kubeconfigPath });
    expect(run.code).to.equal(exitCodes.usage);
    expect(run.stderr).to.equal(
      'error: reset would delete 2 ClientIntents managed by network-mapper (billing: 1, shop: 1) and 2 NetworkObservations (network-mapper: 2); stdin is not a terminal, so add --yes to confirm\n',
    );
    expect(await names('shop', ci)).to.deep.equal(['users-own', 'web']);
  });

  it('asks on a terminal and keeps everything on "n"; deletes -n namespaces only on "y"', async () => {
    const questions: string[] = [];
    let stderr = '';
    const streams = (answer: string) => ({
      stdout: () => undefined,
      stderr: (text: string | Uint8Array) => void (stderr += String(text)),
      ask: (question: string) => {
        questions.push(question);
        return Promise.resolve(answer);
      },
    });
    const args = ['reset', '-n', 'billing', '--kubeconfig', controlPlane.kubeconfigPath];
    expect(await runCli(args, streams('n'), 'test')).to.equal(0);
    expect(stderr).to.equal('Nothing deleted.\n');
    expect(await names('billing', ci)).to.deep.equal(['payments']);
    expect(await runCli(args, streams('y'), 'test')).to.equal(0);
    expect(questions[1]).to.equal('Delete 1 ClientIntents managed by network-mapper (billing: 1) and 2 NetworkObservations (network-mapper: 2)? [y/N] ');
    expect(await names('billing', ci)).to.deep.equal([]);
    expect(await names('shop', ci)).to.deep.equal(['users-own', 'web']);
  });

  it('with --yes deletes network-mapper\'s ClientIntents and NetworkObservations, never a user\'s ClientIntents', async () => {
    const run = await runCliProcess(['reset', '--yes'], { KUBECONFIG: controlPlane.kubeconfigPath });
    expect(run).to.deep.equal({ code: 0, stdout: '', stderr: 'Deleted 1 ClientIntents managed by network-mapper (shop: 1) and 0 NetworkObservations.\n' });
    expect(await names('shop', ci)).to.deep.equal(['users-own']);
    expect(await names('network-mapper', obs)).to.deep.equal([]);
    const again = await runCliProcess(['reset', '--yes'], { KUBECONFIG: controlPlane.kubeconfigPath });
    expect(again).to.deep.equal({ code: 0, stdout: '', stderr: 'Nothing to delete: no ClientIntents managed by network-mapper and no NetworkObservations.\n' });
  });
});
