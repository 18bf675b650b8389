import { expect } from 'chai';
import { diffIntents, renderDiff } from '../../../src/cli/core/intents-diff.js';
import { readIntentsObject, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { renderList } from '../../../src/cli/core/list-format.js';
import { buildGraph } from '../../../src/cli/core/map-graph.js';
import { mapView } from '../../../src/cli/core/map-view.js';
import { httpOverflowAnnotation } from '../../../src/operator/core/http-intents.js';

const managed = { 'app.kubernetes.io/managed-by': 'network-mapper' };

function object(name: string, targets: unknown[], metadata: Record<string, unknown> = {}): IntentsObject {
  const read = readIntentsObject({ metadata: { name, namespace: 'shop', ...metadata }, spec: { workload: { name: 'frontend', kind: 'Deployment' }, targets } });
  if (!read.ok) throw new Error(read.reason);
  return read.object;
}

const observed = object('frontend', [
  { kubernetes: { name: 'cart', kind: 'Deployment', http: [{ path: '/items/{*}', methods: ['DELETE', 'GET'] }, { path: '/orders', methods: ['POST'] }] } },
  { kubernetes: { name: 'search', kind: 'Deployment' } },
], { labels: managed, annotations: { [httpOverflowAnnotation]: '{"kubernetes:cart#Deployment":7}' } });

describe('cli: HTTP resources on targets', () => {
  it('lists them under the target in the reference CLI\'s wording, with the overflow shown', () => {
    expect(renderList([observed])).to.equal([
      'frontend in namespace shop calls:',
      '  - cart in namespace shop',
      '    - path /items/{*}, methods: [DELETE,GET]',
      '    - path /orders, methods: [POST]',
      '    - 7 more requests to paths beyond the cap of distinct paths (not listed)',
      '  - search in namespace shop',
      '',
    ].join('\n'));
  });

  it('labels the edge with methods and paths, and lists each path with its evidence in serve', () => {
    expect(buildGraph([observed]).edges.map((e) => e.label)).to.deep.equal(['DELETE,GET:/items/{*} POST:/orders', '']);
    expect(mapView([observed], { hiddenNamespaces: [], search: '' }).workloads['frontend.shop']?.targets.map((t) => t.target)).to.deep.equal([
      'cart in namespace shop',
      'cart in namespace shop: DELETE /items/{*}',
      'cart in namespace shop: GET /items/{*}',
      'cart in namespace shop: POST /orders',
      'search in namespace shop',
    ]);
  });

  it('diffs paths per method on targets both sides have; declared paths count as unobserved only where paths were recorded', () => {
    const declared = object('frontend-intents', [
      { kubernetes: { name: 'cart', kind: 'Deployment', http: [{ path: '/items/{*}', methods: ['GET'] }, { path: '/admin', methods: ['GET'] }] } },
      { kubernetes: { name: 'search', http: [{ path: '/q', methods: ['GET'] }] } },
    ]);
    const diff = diffIntents([observed], [{ object: declared, source: 'shop/frontend-intents' }]);
    expect(diff.clients[0]?.missing.map((m) => m.target)).to.deep.equal([
      'cart in namespace shop: DELETE /items/{*}',
      'cart in namespace shop: POST /orders',
    ]);
    expect(diff.clients[0]?.unobserved.map((u) => u.target)).to.deep.equal(['cart in namespace shop: GET /admin']);
    expect(renderDiff(diff)).to.include('+ cart in namespace shop: POST /orders: observed, not declared; blocked under enforcement');
    // A target the user does not declare at all is one line, not one per path.
    const none = diffIntents([observed], [{ object: object('other', [{ kubernetes: { name: 'search' } }]), source: 'shop/other' }]);
    expect(none.clients[0]?.missing.map((m) => m.target)).to.deep.equal(['cart in namespace shop']);
  });
});
