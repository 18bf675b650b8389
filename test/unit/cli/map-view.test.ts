import { expect } from 'chai';
import { encodeEvidence, evidenceAnnotation } from '../../../src/operator/core/evidence.js';
import type { IntentsObject } from '../../../src/cli/core/intents-object.js';
import { filterIntents, mapView, parseMapFilter } from '../../../src/cli/core/map-view.js';
import { managedByLabel, managedByValue } from '../../../src/shared/ownership.js';

const seen = Date.parse('2026-11-26T03:00:00Z');

function object(namespace: string, workload: string, targets: Record<string, unknown>[], annotations: Record<string, string> = {}): IntentsObject {
  return { name: workload, namespace, labels: { [managedByLabel]: managedByValue }, annotations, workload: { name: workload, kind: 'Deployment' }, targets };
}

const web = object('shop', 'web', [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { kubernetes: { name: 'ledger.billing', kind: 'Deployment' } }, { internet: { domains: ['api.stripe.com'], ports: [443] } }], {
  [evidenceAnnotation]: encodeEvidence(new Map([['kubernetes:cart#Deployment', { firstSeen: seen, lastSeen: seen + 60_000, captures: new Set(['DNS', 'SYN'] as const) }]])),
});
const ledger = object('billing', 'ledger', [{ service: { name: 'postgres' } }]);

describe('serve: the map view and its filters', () => {
  it('lists every namespace for the checkboxes, and a workload\'s targets with first/last seen and captures', () => {
    const view = mapView([web, ledger], { hiddenNamespaces: [], search: '' });
    expect(view.namespaces).to.deep.equal(['billing', 'shop']);
    expect(view).to.include({ shown: 2, total: 2 });
    expect(view.workloads['web.shop']!.targets).to.deep.equal([
      { target: 'cart in namespace shop', firstSeen: '2026-11-26T03:00:00Z', lastSeen: '2026-11-26T03:01:00Z', capturedBy: ['DNS', 'SYN'] },
      { target: 'internet: api.stripe.com', capturedBy: [] },
      { target: 'ledger in namespace billing', capturedBy: [] },
    ]);
    expect(view.graph.nodes.map((n) => n.id)).to.include.members(['web.shop', 'ledger.billing', 'service:postgres.billing']);
  });

  it('gives every edge of the graph its label and the evidence of the targets it stands for', () => {
    const view = mapView([web, ledger], { hiddenNamespaces: [], search: '' });
    expect(Object.keys(view.edges).sort()).to.deep.equal(view.graph.edges.map((e) => `${e.from}->${e.to}`).sort());
    expect(view.edges['web.shop->cart.shop']).to.deep.equal({
      from: 'web.shop', to: 'cart.shop', label: '',
      targets: [{ target: 'cart in namespace shop', firstSeen: '2026-11-26T03:00:00Z', lastSeen: '2026-11-26T03:01:00Z', capturedBy: ['DNS', 'SYN'] }],
    });
    expect(view.edges['web.shop->internet:api.stripe.com']).to.deep.equal({ from: 'web.shop', to: 'internet:api.stripe.com', label: '443', targets: [{ target: 'internet: api.stripe.com', capturedBy: [] }] });
    expect(view.edges['ledger.billing->service:postgres.billing']!.targets).to.deep.equal([{ target: 'postgres in namespace billing (Service)', capturedBy: [] }]);
  });

  it('hides a namespace: its clients and the targets in it', () => {
    const view = mapView([web, ledger], { hiddenNamespaces: ['billing'], search: '' });
    expect(view.namespaces).to.deep.equal(['billing', 'shop']);
    expect(view.graph.nodes.map((n) => n.id)).to.deep.equal(['internet:api.stripe.com', 'cart.shop', 'web.shop']);
    expect(Object.keys(view.workloads)).to.deep.equal(['web.shop']);
  });

  it('searches clients whole, and of other clients only the matching targets', () => {
    expect(filterIntents([web, ledger], { hiddenNamespaces: [], search: 'LEDGER' }).map((o) => [o.workload.name, o.targets.length])).to.deep.equal([
      ['web', 1],
      ['ledger', 1],
    ]);
    expect(filterIntents([web, ledger], { hiddenNamespaces: [], search: 'stripe' }).map((o) => o.targets)).to.deep.equal([[{ internet: { domains: ['api.stripe.com'], ports: [443] } }]]);
    expect(filterIntents([web, ledger], { hiddenNamespaces: [], search: 'nothing-like-it' })).to.deep.equal([]);
  });

  it('reads the page\'s query', () => {
    expect(parseMapFilter({ hide: 'a,,b', q: 'x' })).to.deep.equal({ hiddenNamespaces: ['a', 'b'], search: 'x' });
    expect(parseMapFilter({})).to.deep.equal({ hiddenNamespaces: [], search: '' });
  });
});
