import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CoreV1Api, CustomObjectsApi, loadYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { watchClientIntents, type IntentsWatch } from '../../../src/cli/shell/watch-client-intents.js';
import { managedByLabel, managedByValue } from '../../../src/shared/ownership.js';
import { startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { installCrds } from '../../support/crds.js';
import { waitFor } from '../../support/wait-for.js';
import { runCliProcess } from './cli-process.js';

const namespace = 'old-otterize';
const optionalCrd = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'crd', 'optional', 'k8s.otterize.com_clientintents.yaml');

/**
 * The ClientIntents CRD as an Intents Operator before v3 serves it: the same body under v2alpha1
 * only (no v2beta1). Made from network-mapper's optional CRD, whose schema is that body.
 */
function preV3Crd(): V1CustomResourceDefinition {
  const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(optionalCrd, 'utf8'));
  expect(crd.spec.versions.map((v) => v.name)).to.deep.equal(['v2beta1']);
  crd.spec.versions[0]!.name = 'v2alpha1';
  return crd;
}

function intents(name: string): object {
  return {
    apiVersion: 'k8s.otterize.com/v2alpha1', kind: 'ClientIntents',
    metadata: { name, namespace, labels: { [managedByLabel]: managedByValue } },
    spec: { workload: { name, kind: 'Deployment' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }] },
  };
}

describe('kubectl netmap against an Intents Operator before v3 (ClientIntents served as v2alpha1 only)', function () {
  this.timeout(60_000);
  let cp: ControlPlane;
  let admin: KubeConfig;
  let watch: IntentsWatch | undefined;
  const create = (name: string) => admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'k8s.otterize.com', version: 'v2alpha1', plural: 'clientintents', namespace, body: intents(name),
  });

  before(async () => {
    // Its own control plane: the shared one has the v2beta1 CRD under the same name.
    cp = await startControlPlane();
    admin = cp.admin();
    await installCrds(admin, [preV3Crd()]);
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await create('frontend');
  });

  after(async () => {
    await watch?.stop();
    await cp?.stop();
  });

  it('lists and exports the map, reading v2alpha1 once v2beta1 is not found', async () => {
    const listed = await runCliProcess(['list', '-n', namespace], { KUBECONFIG: cp.kubeconfigPath });
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.stdout).to.contain('frontend in namespace old-otterize calls:');
    const exported = await runCliProcess(['export', '-n', namespace], { KUBECONFIG: cp.kubeconfigPath });
    expect(exported.code, exported.stderr).to.equal(0);
    expect(exported.stdout).to.contain('name: frontend');
  });

  it('watches v2alpha1 for serve and diff: the current set, and objects created later', async () => {
    let changes = 0;
    watch = await watchClientIntents(admin, [], () => changes++, (message) => expect.fail(message));
    expect(watch.current().map((i) => i.name)).to.deep.equal(['frontend']);
    await create('checkout');
    await waitFor('the new object in the watch', () => watch!.current().some((i) => i.name === 'checkout'));
    expect(changes).to.be.at.least(2);
  });
});
