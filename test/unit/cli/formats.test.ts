import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { clientIntentsSpec } from '../../../src/crds/client-intents.js';
import { directoryLayout } from '../../../src/cli/core/directory-layout.js';
import { renderJson, renderYaml } from '../../../src/cli/core/export-format.js';
import { exportObjects, type ExportApiVersion } from '../../../src/cli/core/export-objects.js';
import { readIntentsObject, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { renderList } from '../../../src/cli/core/list-format.js';
import { selectIntents, type Selection } from '../../../src/cli/core/selection.js';
import { apiItems } from './fixtures.js';
import { expectGolden, expectGoldenDir } from './golden.js';

function read(items: readonly unknown[]): IntentsObject[] {
  return items.map((item) => {
    const result = readIntentsObject(item);
    if (!result.ok) throw new Error(result.reason);
    return result.object;
  });
}

const objects = read(apiItems);
const managedOnly: Selection = { namespaces: [], includeUserManaged: false, excludeServices: [], excludeLabels: [] };
const everything: Selection = { namespaces: [], includeUserManaged: true, excludeServices: [], excludeLabels: [] };

function exported(selection: Selection, apiVersion: ExportApiVersion): ReturnType<typeof exportObjects> {
  return exportObjects(selectIntents(objects, selection), apiVersion);
}

describe('cli formats (golden files)', () => {
  describe('list', () => {
    it('prints managed ClientIntents in the reference text format, sorted by namespace, client, target', () => {
      expectGolden('list.txt', renderList(selectIntents(objects, managedOnly)));
    });

    it('includes user-managed ClientIntents with --all, with Service, HTTP, Kafka and other targets', () => {
      expectGolden('list-all.txt', renderList(selectIntents(objects, everything)));
    });

    it('filters by client namespace and by server', () => {
      const shop = renderList(selectIntents(objects, { ...managedOnly, namespaces: ['shop'] }));
      expect(shop.split('\n').filter((l) => l.endsWith('calls:'))).to.deep.equal([
        'checkout in namespace shop calls:',
        'frontend in namespace shop calls:',
        'nightly-report in namespace shop calls:',
      ]);
      expectGolden('list-server.txt', renderList(selectIntents(objects, { ...everything, server: { name: 'payments', namespace: 'billing' } })));
      const api = renderList(selectIntents(objects, { ...managedOnly, namespaces: ['billing', 'shop'], server: { name: 'kubernetes', namespace: 'default' } }));
      expect(api).to.equal(
        'payments in namespace billing calls:\n  - kubernetes in namespace default (Service)\n' +
          'checkout in namespace shop calls:\n  - kubernetes in namespace default (Service)\n',
      );
      expect(renderList(selectIntents(objects, { ...managedOnly, namespaces: ['nowhere'] }))).to.equal('');
    });

    it('leaves out --exclude-services as clients and as targets, and clients whose pods carry --exclude-labels', () => {
      const clients = (text: string): string[] => text.split('\n').filter((l) => / calls/.test(l));
      const noPayments = renderList(selectIntents(objects, { ...managedOnly, excludeServices: [{ name: 'payments' }] }));
      expect(noPayments).not.to.include('payments');
      // nightly-report called only payments (and the internet): it stays, with its internet target.
      expect(clients(noPayments)).to.deep.equal(['ingest in namespace analytics calls:', 'checkout in namespace shop calls:', 'frontend in namespace shop calls:', 'nightly-report in namespace shop calls:']);
      const otherNamespace = renderList(selectIntents(objects, { ...managedOnly, excludeServices: [{ name: 'payments', namespace: 'shop' }] }));
      expect(otherNamespace).to.equal(renderList(selectIntents(objects, managedOnly)));
      const apiServer = renderList(selectIntents(objects, { ...managedOnly, excludeServices: [{ name: 'kubernetes', namespace: 'default' }] }));
      expect(apiServer).not.to.include('kubernetes in namespace default');
      const ingestOnlyTarget = renderList(selectIntents(objects, { ...managedOnly, excludeServices: [{ name: 'warehouse', namespace: 'data' }] }));
      expect(clients(ingestOnlyTarget)).not.to.include('ingest in namespace analytics calls:');
      const labelled = renderList(selectIntents(objects, { ...managedOnly, excludeLabels: [{ key: 'app', value: 'debug' }] }, new Set(['checkout.shop', 'ghost.shop'])));
      expect(clients(labelled)).to.deep.equal(['ingest in namespace analytics calls:', 'payments in namespace billing calls:', 'frontend in namespace shop calls:', 'nightly-report in namespace shop calls:']);
      expect(labelled).to.include('  - checkout in namespace shop'); // still a target of frontend
    });

    it('does not depend on the order the API server returns items in', () => {
      const reversed = read([...apiItems].reverse());
      expect(renderList(selectIntents(reversed, everything))).to.equal(renderList(selectIntents(objects, everything)));
      expect(renderYaml(exportObjects(selectIntents(reversed, everything), 'v2beta1').objects)).to.equal(renderYaml(exported(everything, 'v2beta1').objects));
    });
  });

  describe('export', () => {
    it('writes YAML v2beta1: one document per client, reference field order, no bookkeeping', () => {
      const yaml = renderYaml(exported(everything, 'v2beta1').objects);
      expectGolden('export-v2beta1.yaml', yaml);
      for (const forbidden of ['managed-by', 'netmap.dev/', 'uid:', 'resourceVersion', 'generation', 'managedFields', 'creationTimestamp', 'status', 'finalizers', 'last-applied-configuration', 'resolvedIPs']) {
        expect(yaml).not.to.include(forbidden);
      }
      const docs = parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, Record<string, unknown>>);
      expect(docs.map((d) => `${d.metadata!.namespace}/${d.metadata!.name}`)).to.deep.equal([
        'analytics/ingest', 'billing/payments', 'billing/reconcile-intents', 'shop/checkout', 'shop/frontend', 'shop/nightly-report',
      ]);
      expect(Object.keys(docs[0]!)).to.deep.equal(['apiVersion', 'kind', 'metadata', 'spec']);
    });

    it('exports what network-mapper manages as specs its CRD accepts', () => {
      for (const object of exported(managedOnly, 'v2beta1').objects) {
        expect(clientIntentsSpec.safeParse(object.spec).success, `${object.namespace}/${String(object.metadata.name)}`).to.equal(true);
        expect(object.metadata).to.deep.equal({ name: object.metadata.name, namespace: object.namespace });
      }
    });

    it('writes YAML v1alpha3: spec.service and spec.calls, Service targets as svc:<name>.<namespace>', () => {
      const { objects: v1, warnings } = exported(everything, 'v1alpha3');
      expectGolden('export-v1alpha3.yaml', renderYaml(v1));
      expect(warnings).to.deep.equal(["billing/reconcile-intents: a 'sql' target has no v1alpha3 form; left out of the export"]);
    });

    it('writes JSON v2beta1 as the reference array: kind first, null creationTimestamp, empty status', () => {
      const json = renderJson(exported(everything, 'v2beta1').objects);
      expectGolden('export-v2beta1.json', json);
      const parsed = JSON.parse(json) as Record<string, Record<string, unknown>>[];
      expect(Object.keys(parsed[0]!)).to.deep.equal(['kind', 'apiVersion', 'metadata', 'spec', 'status']);
      expect(parsed[0]!.metadata).to.deep.equal({ name: 'ingest', namespace: 'analytics', creationTimestamp: null });
      expect(parsed[0]!.status).to.deep.equal({ upToDate: false, observedGeneration: 0 });
    });

    it('writes JSON v1alpha3', () => {
      expectGolden('export-v1alpha3.json', renderJson(exported(everything, 'v1alpha3').objects));
    });

    it('writes an empty export as nothing (YAML) or [] (JSON)', () => {
      expect(renderYaml([])).to.equal('');
      expect(renderJson([])).to.equal('[]\n');
    });

    it('lays out a directory: <workload>.<namespace>.yaml per client and a sorted kustomization.yaml', () => {
      const files = directoryLayout(exported(everything, 'v2beta1').objects, 'yaml');
      expectGoldenDir('dir-yaml', files);
      const jsonFiles = directoryLayout(exported(managedOnly, 'v2beta1').objects, 'json');
      expect([...jsonFiles.keys()]).to.deep.equal([
        'ingest.analytics.json', 'payments.billing.json', 'checkout.shop.json', 'frontend.shop.json', 'nightly-report.shop.json', 'kustomization.yaml',
      ]);
      expect(JSON.parse(jsonFiles.get('checkout.shop.json')!)).to.include({ kind: 'ClientIntents', apiVersion: 'k8s.otterize.com/v2beta1' });
    });

    it('keeps two ClientIntents of one workload apart in a directory export', () => {
      const twin = read([{ metadata: { name: 'checkout-user', namespace: 'shop' }, spec: { workload: { name: 'checkout', kind: 'Pod' }, targets: [] } }]);
      const files = directoryLayout(exportObjects(selectIntents([...objects, ...twin], everything), 'v2beta1').objects, 'yaml');
      expect([...files.keys()].filter((f) => f.startsWith('checkout.'))).to.deep.equal(['checkout.shop.checkout.yaml', 'checkout.shop.checkout-user.yaml']);
    });
  });

  describe('reading API items', () => {
    it('reports malformed items instead of failing the whole listing', () => {
      expect(readIntentsObject({ metadata: { name: 'x', namespace: 'y' }, spec: {} })).to.deep.equal({ ok: false, reason: 'y/x has no spec.workload.name' });
      expect(readIntentsObject({ metadata: { name: 'x', namespace: 'y' }, spec: { workload: { name: 'w' }, targets: 'nope' } }).ok).to.equal(false);
      expect(readIntentsObject(null).ok).to.equal(false);
      const noTargets = readIntentsObject({ metadata: { name: 'x', namespace: 'y' }, spec: { workload: { name: 'w' } } });
      expect(noTargets.ok && renderList([noTargets.object])).to.equal('w in namespace y calls nothing\n');
    });
  });
});
