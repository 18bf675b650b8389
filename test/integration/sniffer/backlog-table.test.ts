import { expect } from 'chai';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { customObjects } from '../../../src/shared/kube/custom-objects.js';
import { createBacklogCheck } from '../../../src/sniffer/shell/reporting/backlog-check.js';
import { startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { committedCrds, installCrds } from '../../support/crds.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { snifferClient } from '../../support/sniffer-kube.js';
import { snifferKubeConfig } from '../../support/sniffer-rbac.js';
import { ensureNamespace, observationResource, retryTooManyRequests } from './observation-api.js';

const namespace = 'sniffer-backlog-table';

async function seed(admin: KubeConfig, objects: { name: string; node: string; phase?: string }[]): Promise<void> {
  const custom = admin.makeApiClient(CustomObjectsApi);
  for (const { name, node, phase } of objects) {
    const spec = { nodeName: node, windowStart: '2026-11-26T03:00:00Z', windowEnd: '2026-11-26T03:00:10Z' };
    await retryTooManyRequests(() =>
      custom.createNamespacedCustomObject({ ...observationResource(namespace), body: { apiVersion: 'netmap.dev/v1alpha1', kind: 'NetworkObservation', metadata: { name, labels: { 'netmap.dev/node': node } }, spec } }),
    );
    if (phase) {
      await custom.patchNamespacedCustomObjectStatus({ ...observationResource(namespace), name, body: { status: { phase } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    }
  }
}

const objects = [
  { name: 't1', node: 'node-t' },
  { name: 't2', node: 'node-t', phase: 'Pending' },
  { name: 't3', node: 'node-t', phase: 'Processed' },
  { name: 't4', node: 'node-t', phase: 'Invalid' },
  { name: 't5', node: 'node-t' },
  { name: 'u1', node: 'node-u' },
];

describe('backlog check: counts from printer columns, whole objects only when the CRD lacks them', function () {
  this.timeout(90_000);

  it('reads node and phase from the server-side Table, page by page', async () => {
    const controlPlane = await sharedControlPlane();
    const admin = controlPlane.admin();
    await installCrds(admin);
    await ensureNamespace(admin, namespace);
    await seed(admin, objects);
    const kube = snifferClient(await snifferKubeConfig(controlPlane, namespace));

    const table = await customObjects(kube, observationResource(namespace)).listTable({ labelSelector: 'netmap.dev/node=node-t', timeoutMs: 5_000 });
    expect(table.items.map((row) => [row.name, row.cells.Node, row.cells.Phase ?? null])).to.deep.equal([
      ['t1', 'node-t', null],
      ['t2', 'node-t', 'Pending'],
      ['t3', 'node-t', 'Processed'],
      ['t4', 'node-t', 'Invalid'],
      ['t5', 'node-t', null],
    ]);
    expect(table.items[0]!.cells, 'no object in the rows').to.not.have.property('object');

    for (const pageSize of [1, 2, 500]) {
      const check = createBacklogCheck({ kube, namespace, nodeName: 'node-t', pageSize });
      expect(await check.unprocessed(100), `page size ${pageSize}`).to.equal(3);
      expect(await check.unprocessed(2), `page size ${pageSize}, stops at the threshold`).to.equal(2);
    }
    expect(await createBacklogCheck({ kube, namespace, nodeName: 'node-u' }).unprocessed(100)).to.equal(1);
  });

  describe('on a cluster whose NetworkObservation CRD has no printer columns', () => {
    let controlPlane: ControlPlane | undefined;
    after(async () => {
      await controlPlane?.stop();
    });

    it('falls back to listing whole objects and counts the same', async () => {
      controlPlane = await startControlPlane();
      const admin = controlPlane.admin();
      const crds = committedCrds().map((crd) =>
        crd.spec.names.kind === 'NetworkObservation' ? { ...crd, spec: { ...crd.spec, versions: crd.spec.versions.map((v) => ({ ...v, additionalPrinterColumns: undefined })) } } : crd,
      );
      await installCrds(admin, crds);
      await ensureNamespace(admin, namespace);
      await seed(admin, objects);
      const kube = snifferClient(await snifferKubeConfig(controlPlane, namespace));
      const table = await customObjects(kube, observationResource(namespace)).listTable({ labelSelector: 'netmap.dev/node=node-t', timeoutMs: 5_000 });
      expect(Object.keys(table.items[0]!.cells), 'only the default columns').to.not.include('Node');
      expect(Object.keys(table.items[0]!.cells)).to.not.include('Phase');

      const check = createBacklogCheck({ kube, namespace, nodeName: 'node-t', pageSize: 2 });
      expect(await check.unprocessed(100)).to.equal(3);
      expect(await check.unprocessed(2)).to.equal(2);
    });
  });
});
