import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { exportObjects } from '../../../src/cli/core/export-objects.js';
import { yamlDocument } from '../../../src/cli/core/export-format.js';
import { readIntentsObject } from '../../../src/cli/core/intents-object.js';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeDriftReport } from '../../../src/operator/core/drift-report.js';
import { metricValue } from '../../support/metrics.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { runCliProcess } from '../cli/cli-process.js';
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

    // The drift report, in the operator's namespace, and what the CLI makes of it.
    const driftReport = await waitFor('drift report ConfigMap naming orders', async () => {
      const found = await suite.cluster.core.readNamespacedConfigMap({ namespace: opNs, name: 'network-mapper-drift' }).catch(() => undefined);
      const entries = decodeDriftReport(found?.data).entries;
      return entries.some((e) => e.name === 'web' && JSON.stringify(e.undeclared).includes('orders')) ? entries : undefined;
    });
    expect(driftReport.find((e) => e.name === 'web')).to.deep.include({ namespace: appNs, engine: 'Flux', undeclared: [{ kubernetes: { name: 'orders', kind: 'Deployment' } }], unobserved: [] });
    const kubeconfig = (await sharedControlPlane()).kubeconfigPath;
    const cli = (...args: string[]) => runCliProcess([...args, '--install-namespace', opNs], { KUBECONFIG: kubeconfig });
    const diff = await cli('diff', '-n', appNs);
    expect(diff.code, diff.stderr).to.equal(1);
    expect(diff.stdout).to.contain('+ orders in namespace gitops-shop').and.not.contain('cart in namespace');
    // The git checkout holds the committed export; --only-undeclared writes the next commit into it.
    const repo = mkdtempSync(join(tmpdir(), 'netmap-gitops-'));
    writeFileSync(join(repo, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - web.gitops-shop.yaml\n  - other.yaml\n');
    const exportRun = await cli('export', '-n', appNs, '--only-undeclared', '-o', repo, '--output-type', 'dir');
    expect(exportRun.code, exportRun.stderr).to.equal(0);
    expect(readdirSync(repo).sort()).to.deep.equal(['kustomization.yaml', 'web.gitops-shop.yaml']);
    expect((parse(readFileSync(join(repo, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources).to.deep.equal(['other.yaml', 'web.gitops-shop.yaml']);
    const nextCommit = parse(readFileSync(join(repo, 'web.gitops-shop.yaml'), 'utf8')) as Record<string, unknown>;

    // Flux's next reconciliations: its dry-run finds nothing to correct, and its apply changes nothing.
    for (let i = 0; i < 3; i++) {
      const dry = await fluxApply(committed, true);
      expect(dry.spec).to.deep.equal(after?.spec);
      expect(dry.metadata?.labels).to.deep.equal(after?.metadata?.labels);
      expect((await fluxApply(committed)).metadata?.resourceVersion).to.equal(rv);
    }

    // The next export is committed (web -> cart and orders): Flux applies it, the drift is gone.
    expect(nextCommit.metadata).to.deep.equal({ name: 'web', namespace: appNs });
    expect((nextCommit.spec as { targets: unknown[] }).targets).to.deep.equal([{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { kubernetes: { name: 'orders', kind: 'Deployment' } }]);
    await fluxApply(nextCommit);
    await waitFor('netmap_undeclared_targets back to 0', async () => {
      await report('10.248.7.12');
      return (await metricValue(suite.running.registry, 'netmap_undeclared_targets', { namespace: appNs })) === 0 ? true : undefined;
    });
    const final = await suite.cluster.intents(appNs, 'web');
    expect(final?.spec.targets).to.have.length(2);
    expect(final?.metadata?.labels?.['app.kubernetes.io/managed-by']).to.equal(undefined);
    const clean = await waitFor('an empty drift report', async () => {
      const run = await cli('diff', '-n', appNs);
      return run.code === 0 ? run : undefined;
    });
    expect(clean.stdout).to.equal('');
    await waitFor('nothing left to commit', async () => ((await cli('export', '-n', appNs, '--only-undeclared')).stdout === '' ? true : undefined));
  });
});
