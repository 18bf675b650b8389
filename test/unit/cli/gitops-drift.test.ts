import { expect } from 'chai';
import { parse } from 'yaml';
import { decodeDriftReport, driftReportMaxBytes, encodeDriftReport, type DriftEntry } from '../../../src/operator/core/drift-report.js';
import { directoryLayout } from '../../../src/cli/core/directory-layout.js';
import { observedFromDrift, undeclaredExport } from '../../../src/cli/core/drift-view.js';
import { exportObjects } from '../../../src/cli/core/export-objects.js';
import { clusterDiff } from '../../../src/cli/core/intents-diff.js';
import { isManaged, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { mergedKustomization } from '../../../src/cli/core/kustomization-merge.js';

const fluxLabels = { 'kustomize.toolkit.fluxcd.io/name': 'intents', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
const fromGit: IntentsObject = {
  name: 'web',
  namespace: 'shop',
  labels: { ...fluxLabels, team: 'storefront' },
  annotations: {},
  workload: { name: 'web', kind: 'Deployment' },
  targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { service: { name: 'legacy' } }],
};
const entry: DriftEntry = {
  namespace: 'shop',
  name: 'web',
  workload: { name: 'web', kind: 'Deployment' },
  engine: 'Flux',
  undeclared: [{ kubernetes: { name: 'orders', kind: 'Deployment' } }],
  unobserved: [{ service: { name: 'legacy' } }],
};
const ours = (name: string, workload: string): IntentsObject => ({
  name, namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'network-mapper' }, annotations: { 'netmap.dev/evidence': '{}' }, workload: { name: workload, kind: 'Deployment' }, targets: [{ service: { name: 'kubernetes.default' } }],
});

describe('GitOps drift in the CLI', () => {
  it('counts an object a GitOps engine applies as declared, even with our label left on it', () => {
    expect(isManaged({ ...fromGit, labels: { ...fluxLabels, 'app.kubernetes.io/managed-by': 'network-mapper' } })).to.equal(false);
    expect(isManaged(ours('web', 'web'))).to.equal(true);
  });

  it('diffs the declared object against the drift report: + undeclared, - unobserved, nothing else', () => {
    const objects = [fromGit];
    const diff = clusterDiff([...objects, ...observedFromDrift(objects, [entry])]);
    expect(diff.clients).to.have.length(1);
    expect(diff.clients[0]!.missing.map((m) => m.target)).to.deep.equal(['orders in namespace shop']);
    expect(diff.clients[0]!.unobserved.map((u) => u.target)).to.deep.equal(['legacy in namespace shop (Service)']);
    // No drift entry: the operator's report says the object matches the map.
    expect(clusterDiff([...objects, ...observedFromDrift(objects, [])]).differ).to.equal(false);
  });

  it('exports what to commit next: the declared object grown by its undeclared targets under its own name and file, and new clients whole', () => {
    const objects = [fromGit, ours('api', 'api'), ours('web-netmap', 'web')];
    const next = undeclaredExport(objects, [entry]);
    expect(next.map((o) => o.name)).to.deep.equal(['web', 'api']);
    const files = directoryLayout(exportObjects(next, 'v2beta1').objects, 'yaml');
    expect([...files.keys()].sort()).to.deep.equal(['api.shop.yaml', 'kustomization.yaml', 'web.shop.yaml']);
    const web = parse(files.get('web.shop.yaml')!) as { metadata: { name: string; labels: Record<string, string> }; spec: { targets: unknown[] } };
    expect(web.metadata.name).to.equal('web');
    // Flux's own labels stay out of git; the user's stay.
    expect(web.metadata.labels).to.deep.equal({ team: 'storefront' });
    expect(web.spec.targets).to.deep.equal([{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { service: { name: 'legacy' } }, { kubernetes: { name: 'orders', kind: 'Deployment' } }]);
    // Nothing new: nothing to commit; nor when git already declares what an older report names.
    expect(undeclaredExport([fromGit], [{ ...entry, undeclared: [] }])).to.deep.equal([]);
    expect(undeclaredExport([fromGit], [{ ...entry, undeclared: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }] }])).to.deep.equal([]);
  });

  it('extends a kustomization.yaml without dropping what it listed, and refuses one it cannot read', () => {
    const before = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - web.shop.yaml\n  - cart.shop.yaml\n';
    const after = parse(mergedKustomization(before, ['web.shop.yaml', 'api.shop.yaml'])) as { namespace: string; resources: string[] };
    expect(after.resources).to.deep.equal(['api.shop.yaml', 'cart.shop.yaml', 'web.shop.yaml']);
    expect(after.namespace).to.equal('shop');
    expect((parse(mergedKustomization(undefined, ['a.yaml'])) as { kind: string }).kind).to.equal('Kustomization');
    expect(() => mergedKustomization('resources: 3\n', ['a.yaml'])).to.throw(/not a list/);
  });

  it('keeps the drift report within a ConfigMap and reads back what it wrote, reporting what it cannot', () => {
    const data = encodeDriftReport([entry]);
    expect(decodeDriftReport(data)).to.deep.equal({ entries: [entry], problems: [] });
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...entry, name: `web-${i}`, undeclared: Array.from({ length: 5 }, (_, j) => ({ kubernetes: { name: `target-${j}-with-a-long-name`, kind: 'Deployment' } })) }));
    const bounded = encodeDriftReport(many);
    expect(Object.entries(bounded).reduce((n, [k, v]) => n + k.length + v.length, 0)).to.be.below(driftReportMaxBytes + 200);
    expect(bounded.truncated).to.match(/client\(s\) left out/);
    const decoded = decodeDriftReport({ ...data, 'shop.broken': '{"namespace":1}' });
    expect(decoded.entries).to.have.length(1);
    expect(decoded.problems).to.deep.equal(['drift report: entry shop.broken is unreadable; left out']);
  });
});
