import { join } from 'node:path';
import { expect } from 'chai';
import { renderDot } from '../../../src/cli/core/dot-format.js';
import { readIntentsObject, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { buildGraph } from '../../../src/cli/core/map-graph.js';
import { renderMermaid } from '../../../src/cli/core/mermaid-format.js';
import { selectIntents } from '../../../src/cli/core/selection.js';
import { renderVisualization } from '../../../src/cli/shell/commands/visualize.js';
import { apiItems } from './fixtures.js';
import { expectGolden } from './golden.js';

const objects: IntentsObject[] = apiItems.map((item) => {
  const read = readIntentsObject(item);
  if (!read.ok) throw new Error(read.reason);
  return read.object;
});
const everything = selectIntents(objects, { namespaces: [], includeUserManaged: true, excludeServices: [], excludeLabels: [] });

describe('cli visualize', function () {
  this.timeout(30_000);

  it('builds one node per workload name.namespace, grouped by namespace, with Services, the API server and internet names', () => {
    const graph = buildGraph(everything);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    expect(byId.get('checkout.shop')).to.deep.equal({ id: 'checkout.shop', kind: 'workload', label: 'checkout.shop', group: 'shop' });
    expect(byId.get('payments.billing')).to.include({ kind: 'workload', group: 'billing' });
    expect(byId.get('service:warehouse.data')).to.include({ kind: 'service', group: 'data' });
    expect(byId.get('kubernetes.default')).to.deep.equal({ id: 'kubernetes.default', kind: 'apiServer', label: 'Kubernetes API server' });
    expect(byId.get('internet:api.stripe.com')).to.include({ kind: 'internet', group: 'internet' });
    expect(graph.edges.filter((e) => e.from === 'checkout.shop').map((e) => `${e.to} ${e.label}`)).to.deep.equal([
      'cart.shop ',
      'internet:2001:db8::7 8443,9443',
      'internet:203.0.113.7 8443,9443',
      'internet:api.stripe.com 443',
      'kubernetes.default ',
      'payments.billing ',
    ]);
    // reconcile calls payments as a workload (HTTP) and as a Service: one edge each, the sql target is not drawn.
    expect(graph.edges.filter((e) => e.from === 'reconcile.billing').map((e) => `${e.to} ${e.label}`)).to.deep.equal([
      'events.infra ledger:produce',
      'payments.billing GET,POST:/ledger',
      'service:payments.billing ',
    ]);
  });

  it('writes Graphviz DOT (golden)', () => {
    expectGolden('visualize.dot', renderDot(buildGraph(everything)));
  });

  it('writes a Mermaid flowchart (golden)', () => {
    expectGolden('visualize.mmd', renderMermaid(buildGraph(everything)));
  });

  it('escapes names DOT and Mermaid would read as syntax', () => {
    const odd = buildGraph([{ name: 'x', namespace: 'ns', labels: {}, annotations: {}, workload: { name: 'a"b\\c' }, targets: [] }]);
    expect(renderDot(odd)).to.include('"a\\"b\\\\c.ns" [label="a\\"b\\\\c.ns"');
    expect(renderMermaid(odd)).to.include('n0["a#quot;b\\c.ns"]');
  });

  it('renders SVG with Graphviz in WebAssembly (golden) and PNG from it', async () => {
    const svg = await renderVisualization(everything, 'svg');
    expect(typeof svg).to.equal('string');
    // The README's picture is this golden: docs/map.svg.
    expectGolden(join('..', '..', '..', '..', 'docs', 'map.svg'), svg as string);
    for (const label of ['checkout.shop', 'Kubernetes API server', 'api.stripe.com', '&gt;', 'cluster_shop']) expect(svg).to.include(label);
    const png = (await renderVisualization(everything, 'png')) as Buffer;
    expect([...png.subarray(0, 8)]).to.deep.equal([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svgWidth = Number(/<svg width="(\d+)pt"/.exec(svg as string)![1]);
    // IHDR width: twice the SVG's size in CSS pixels (pt * 4/3), give or take rounding.
    expect(png.readUInt32BE(16)).to.be.closeTo(Math.round(svgWidth * (4 / 3) * 2), 2);
  });
});
