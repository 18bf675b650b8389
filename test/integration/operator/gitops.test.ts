import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { exportObjects } from '../../../src/cli/core/export-objects.js';
import { yamlDocument } from '../../../src/cli/core/export-format.js';
import { readIntentsObject } from '../../../src/cli/core/intents-object.js';
import { metricValue } from '../../support/metrics.js';
import { ciApi, connection, leadingOperatorSuite, waitFor, type ClientIntentsRead } from './cluster-fixtures.js';

const opNs = 'netmap-gitops';
const appNs = 'gitops-shop';
const fluxLabels = { 'kustomize.toolkit.fluxcd.io/name': 'intents', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };

/**
 * What Flux's kustomize-controller does with a committed export (docs/gitops.md), through the real
 * API server: the file's object, its own labels added, server-side applied as the field manager
 * `kustomize-controller` with force (it takes every field it applies). The real controller runs in
 * the local cluster's GitOps test; here its writes are reproduced so the operator's side can be
 * checked field by field.
 */
describe('operator and a GitOps engine on one ClientIntents (real API server)', function () {
  this.timeout(120_000);
  const suite = leadingOperatorSuite(opNs, [appNs], 'gitops');

  /** The file `kubectl netmap export -o DIR --output-type dir` writes for this object, as parsed YAML. */
  function exported(object: ClientIntentsRead): Record<string, unknown> {
    const read = readIntentsObject(object);
    if (!read.ok) throw new Error(read.reason);
    return parse(yamlDocument(exportObjects([read.object], 'v2beta1').objects[0]!)) as Record<string, unknown>;
  }

  async function fluxApply(manifest: Record<string, unknown>, dryRun = false): Promise<ClientIntentsRead> {
    const metadata = manifest.metadata as { name: string; namespace: string; labels?: Record<string, string> };
    const body = { ...manifest, metadata: { ...metadata, labels: { ...metadata.labels, ...fluxLabels } } };
    return (await suite.cluster.custom.patchNamespacedCustomObject(
      { ...ciApi, namespace: metadata.namespace, name: metadata.name, body, fieldManager: 'kustomize-controller', force: true, ...(dryRun ? { dryRun: 'All' } : {}) },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    )) as ClientIntentsRead;
  }

  it('hands the object to git: never writes its spec again, makes no second object, and reports new calls without touching it', async () => {
    await suite.cluster.deployment(appNs, 'web', '10.248.7.10');
    await suite.cluster.deployment(appNs, 'cart', '10.248.7.11');
    await suite.cluster.deployment(appNs, 'orders', '10.248.7.12');
    let reports = 0;
    const report = (to: string) => suite.cluster.observation(opNs, `gitops-${reports++}`, { connections: [connection('10.248.7.10', to, 8080)] });
    await report('10.248.7.11');
    const ours = await waitFor('our ClientIntents for web', async () => suite.cluster.intents(appNs, 'web'));
    expect(ours.metadata?.labels?.['app.kubernetes.io/managed-by']).to.equal('network-mapper');

    // The export is committed; Flux applies it onto the same object name.
    const committed = exported(ours);
    expect((committed.metadata as { name: string }).name).to.equal('web');
    await fluxApply(committed);
    // The operator lets go of the object: our label and annotations removed by an apply of nothing.
    const released = await waitFor('our label and annotations released', async () => {
      const object = await suite.cluster.intents(appNs, 'web');
      const ownsMain = (object?.metadata?.managedFields ?? []).some((f) => f.manager === 'network-mapper' && f.subresource !== 'status');
      return object && !object.metadata?.labels?.['app.kubernetes.io/managed-by'] && !ownsMain ? object : undefined;
    });
    expect(released.metadata?.labels).to.deep.equal(fluxLabels);
    expect(Object.keys(released.metadata?.annotations ?? {}).filter((k) => k.startsWith('netmap.dev/'))).to.deep.equal([]);
    // Every spec field is Flux's alone.
    const managers = (released.metadata?.managedFields ?? []).filter((f) => JSON.stringify(f.fieldsV1 ?? {}).includes('f:spec')).map((f) => f.manager);
    expect(managers).to.deep.equal(['kustomize-controller']);
    const rv = released.metadata?.resourceVersion;

    // New traffic: web now calls orders too. Reported as an Event and a metric; the object is not written.
    let last = Date.now();
    await report('10.248.7.12');
    const message = await waitFor('drift reported', async () => {
      const found = await suite.cluster.core.listNamespacedEvent({ namespace: appNs, fieldSelector: 'involvedObject.name=web' });
      const event = found.items.find((e) => e.reason === 'GitOpsDrift' && e.message?.includes('orders'));
      if (!event && Date.now() - last > 3000) {
        await report('10.248.7.12');
        last = Date.now();
      }
      return event?.message;
    });
    expect(message).to.contain('applied by Flux').and.contain('export --only-undeclared');
    await waitFor('netmap_undeclared_targets of the namespace', async () => ((await metricValue(suite.running.registry, 'netmap_undeclared_targets', { namespace: appNs })) === 1 ? true : undefined));
    const after = await suite.cluster.intents(appNs, 'web');
    expect(after?.metadata?.resourceVersion).to.equal(rv);
    expect(after?.spec).to.deep.equal(released.spec);
    expect((await suite.cluster.listIntents(appNs)).filter((ci) => ci.spec.workload.name === 'web')).to.have.length(1);

    // Flux's next reconciliations: its dry-run finds nothing to correct, and its apply changes nothing.
    for (let i = 0; i < 3; i++) {
      const dry = await fluxApply(committed, true);
      expect(dry.spec).to.deep.equal(after?.spec);
      expect(dry.metadata?.labels).to.deep.equal(after?.metadata?.labels);
      expect((await fluxApply(committed)).metadata?.resourceVersion).to.equal(rv);
    }

    // The next export is committed (web -> cart and orders): Flux applies it, the drift is gone.
    const next = { ...committed, spec: { workload: { name: 'web', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { kubernetes: { name: 'orders', kind: 'Deployment' } }] } };
    await fluxApply(next);
    await waitFor('netmap_undeclared_targets back to 0', async () => {
      await report('10.248.7.12');
      return (await metricValue(suite.running.registry, 'netmap_undeclared_targets', { namespace: appNs })) === 0 ? true : undefined;
    });
    const final = await suite.cluster.intents(appNs, 'web');
    expect(final?.spec.targets).to.have.length(2);
    expect(final?.metadata?.labels?.['app.kubernetes.io/managed-by']).to.equal(undefined);
  });
});
