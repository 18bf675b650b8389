import { expect } from 'chai';
import { diffIntents, renderDiff } from '../../../src/cli/core/intents-diff.js';
import { readIntentsObject, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { buildGraph } from '../../../src/cli/core/map-graph.js';
import { mapView } from '../../../src/cli/core/map-view.js';
import { renderDot } from '../../../src/cli/core/dot-format.js';
import { encodeEvidence, type Evidence } from '../../../src/operator/core/evidence.js';

const t0 = Date.parse('2026-11-20T08:00:00Z');
const day = 86_400_000;

function read(item: Record<string, unknown>): IntentsObject {
  const r = readIntentsObject(item);
  if (!r.ok) throw new Error(r.reason);
  return r.object;
}

function observed(targets: [Record<string, unknown>, string, Evidence][]): IntentsObject {
  return read({
    metadata: { name: 'web', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'network-mapper' }, annotations: { 'netmap.dev/evidence': encodeEvidence(new Map(targets.map(([, k, e]) => [k, e]))) } },
    spec: { workload: { name: 'web', kind: 'Deployment' }, targets: targets.map(([t]) => t) },
  });
}

const ports = (...list: [number, number][]): Map<number, { firstSeen: number; lastSeen: number }> => new Map(list.map(([p, at]) => [p, { firstSeen: at, lastSeen: at }]));

const web = observed([
  [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, 'kubernetes:cart#Deployment', { firstSeen: t0, lastSeen: t0, captures: new Set(['SYN']), ports: ports([8080, t0], [9090, t0 + 3 * day]) }],
  [{ internet: { domains: ['api.example.com'], ports: [443, 8443] } }, 'internet:api.example.com', { firstSeen: t0, lastSeen: t0, captures: new Set(['DNS', 'SYN']), ports: ports([443, t0], [8443, t0]) }],
]);

describe('ports in serve and diff', () => {
  it('draws the observed server ports on the edges', () => {
    const graph = buildGraph([web]);
    expect(graph.edges.map((e) => [e.to, e.label])).to.deep.equal([
      ['cart.shop', '8080,9090'],
      ['internet:api.example.com', '443,8443'],
    ]);
    expect(renderDot(graph)).to.include('"web.shop" -> "cart.shop" [label="8080,9090"];');
  });

  it('the page\'s workload details carry ports with their evidence and the readiness', () => {
    const view = mapView([web], { hiddenNamespaces: [], search: '' }, { now: t0 + 5 * day, stableForMs: 7 * day });
    const detail = view.workloads['web.shop']!;
    expect(detail.targets.find((t) => t.target === 'cart in namespace shop')?.ports).to.deep.equal([
      { port: 8080, firstSeen: '2026-11-20T08:00:00Z', lastSeen: '2026-11-20T08:00:00Z' },
      { port: 9090, firstSeen: '2026-11-23T08:00:00Z', lastSeen: '2026-11-23T08:00:00Z' },
    ]);
    expect(detail.readiness).to.deep.equal({ ready: false, reason: 'still learning: new port 9090 of cart in namespace shop 2d0h ago (stable after 7d0h)' });
    expect(mapView([web], { hiddenNamespaces: [], search: '' }).workloads['web.shop']).to.not.have.property('readiness');
  });

  it('diff: an internet target used on a port its declaration lacks is a change; observed-only targets show their ports', () => {
    const declared = read({ metadata: { name: 'web-intents', namespace: 'shop' }, spec: { workload: { name: 'web' }, targets: [{ internet: { domains: ['api.example.com'], ports: [443] } }] } });
    const diff = diffIntents([web], [{ object: declared, source: 'shop/web-intents' }]);
    expect(diff.clients[0]!.changedPorts).to.deep.equal([{ target: 'internet: api.example.com', declared: [443], observed: [443, 8443], undeclared: [8443] }]);
    expect(renderDiff(diff)).to.equal(
      [
        '--- declared web in namespace shop: shop/web-intents',
        '+++ observed web in namespace shop: shop/web',
        '+ cart in namespace shop (seen 2026-11-20T08:00:00Z .. 2026-11-20T08:00:00Z by SYN; ports 8080, 9090): observed, not declared; blocked under enforcement',
        '~ internet: api.example.com: port 8443 observed, not declared (declared 443); blocked under enforcement',
        '',
      ].join('\n'),
    );
    // declared with every observed port, or without ports at all: no change
    const all = read({ metadata: { name: 'web-intents', namespace: 'shop' }, spec: { workload: { name: 'web' }, targets: [{ kubernetes: { name: 'cart' } }, { internet: { domains: ['api.example.com'], ports: [443, 8443] } }] } });
    expect(diffIntents([web], [{ object: all, source: 'x' }])).to.deep.equal({ differ: false, clients: [] });
    const portless = read({ metadata: { name: 'web-intents', namespace: 'shop' }, spec: { workload: { name: 'web' }, targets: [{ kubernetes: { name: 'cart' } }, { internet: { domains: ['api.example.com'] } }] } });
    expect(diffIntents([web], [{ object: portless, source: 'x' }]).differ).to.equal(false);
  });
});
