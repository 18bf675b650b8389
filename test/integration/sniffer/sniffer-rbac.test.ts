import { expect } from 'chai';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { rejection } from '../../support/api-error.js';
import { installCrds } from '../../support/crds.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { snifferKubeConfig, snifferRbacObjects } from '../../support/sniffer-rbac.js';
import { ensureNamespace, observationResource, retryTooManyRequests } from './observation-api.js';

const namespace = 'sniffer-rbac';
const otherNamespace = 'sniffer-rbac-other';
const spec = { nodeName: 'node-x', windowStart: '2026-11-26T03:00:00Z', windowEnd: '2026-11-26T03:00:10Z' };
const observation = (name: string) => ({ apiVersion: 'netmap.dev/v1alpha1', kind: 'NetworkObservation', metadata: { name }, spec });

describe('sniffer RBAC (config/rbac/sniffer-*.yaml) on a real API server', function () {
  this.timeout(60_000);
  let admin: KubeConfig;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  before(async () => {
    const controlPlane = await sharedControlPlane();
    admin = controlPlane.admin();
    await installCrds(admin);
    await ensureNamespace(admin, namespace);
    await ensureNamespace(admin, otherNamespace);
    const sniffer = await snifferKubeConfig(controlPlane, namespace);
    custom = sniffer.makeApiClient(CustomObjectsApi);
    core = sniffer.makeApiClient(CoreV1Api);
    await admin.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace, body: { metadata: { name: 'db-password' }, stringData: { password: 'x' } } });
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...observationResource(otherNamespace), body: observation('elsewhere') });
  });

  it('grants nothing cluster-wide', () => {
    expect(snifferRbacObjects(namespace).map((o) => o.kind)).to.deep.equal(['ServiceAccount', 'Role', 'RoleBinding']);
  });

  it('lets the sniffer create, get and list NetworkObservations in its own namespace', async () => {
    await retryTooManyRequests(() => custom.createNamespacedCustomObject({ ...observationResource(namespace), body: observation('mine'), fieldValidation: 'Strict' }));
    const stored = (await custom.getNamespacedCustomObject({ ...observationResource(namespace), name: 'mine' })) as { spec: { nodeName: string } };
    expect(stored.spec.nodeName).to.equal('node-x');
    const list = (await custom.listNamespacedCustomObject({ ...observationResource(namespace) })) as { items: unknown[] };
    expect(list.items).to.have.length(1);
  });

  it('does not let it change or delete NetworkObservations (the operator does that)', async () => {
    const resource = { ...observationResource(namespace), name: 'mine' };
    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    expect((await rejection(custom.replaceNamespacedCustomObject({ ...resource, body: { ...observation('mine'), spec: { ...spec, nodeName: 'node-y' } } }))).code).to.equal(403);
    expect((await rejection(custom.patchNamespacedCustomObject({ ...resource, body: { spec: { nodeName: 'node-y' } } }, mergePatch))).code).to.equal(403);
    expect((await rejection(custom.patchNamespacedCustomObjectStatus({ ...resource, body: { status: { phase: 'Processed' } } }, mergePatch))).code).to.equal(403);
    expect((await rejection(custom.deleteNamespacedCustomObject(resource))).code).to.equal(403);
  });

  it('does not let it touch NetworkObservations in other namespaces or cluster-wide', async () => {
    expect((await rejection(custom.createNamespacedCustomObject({ ...observationResource(otherNamespace), body: observation('theirs') }))).code).to.equal(403);
    expect((await rejection(custom.getNamespacedCustomObject({ ...observationResource(otherNamespace), name: 'elsewhere' }))).code).to.equal(403);
    expect((await rejection(custom.listClusterCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations' }))).code).to.equal(403);
  });

  it('cannot read Secrets, not even in its own namespace', async () => {
    const { code, message } = await rejection(core.readNamespacedSecret({ namespace, name: 'db-password' }));
    expect(code).to.equal(403);
    expect(message).to.match(/system:serviceaccount:sniffer-rbac:network-mapper-sniffer.*cannot get resource "secrets"/);
    expect((await rejection(core.listNamespacedSecret({ namespace }))).code).to.equal(403);
    expect((await rejection(core.listSecretForAllNamespaces())).code).to.equal(403);
  });

  it('cannot write or read ClientIntents', async () => {
    const intents = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents', namespace };
    const body = { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'x' }, spec: { workload: { name: 'x' }, targets: [{ service: { name: 'y' } }] } };
    const { code, message } = await rejection(custom.createNamespacedCustomObject({ ...intents, body }));
    expect(code).to.equal(403);
    expect(message).to.match(/cannot create resource "clientintents"/);
    expect((await rejection(custom.listNamespacedCustomObject(intents))).code).to.equal(403);
  });
});
