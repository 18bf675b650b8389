import { expect } from 'chai';
import { buildDiff } from '../../../src/cli/core/commands/diff.js';
import { diffIntents, renderDiff, renderDiffJson } from '../../../src/cli/core/intents-diff.js';
import { readIntentsObject, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { encodeEvidence, evidenceAnnotation } from '../../../src/operator/core/evidence.js';
import { expectGolden } from './golden.js';

const managed = { 'app.kubernetes.io/managed-by': 'network-mapper' };
const t0 = Date.parse('2026-11-26T03:00:00Z');

function object(namespace: string, name: string, workload: string, targets: unknown[], metadata: Record<string, unknown> = {}): IntentsObject {
  const read = readIntentsObject({ metadata: { name, namespace, ...metadata }, spec: { workload: { name: workload, kind: 'Deployment' }, targets } });
  if (!read.ok) throw new Error(read.reason);
  return read.object;
}

const evidence = encodeEvidence(
  new Map([
    ['kubernetes:payments.billing#Deployment', { firstSeen: t0, lastSeen: t0 + 3_600_000, captures: new Set(['SYN', 'SocketScan'] as const) }],
    ['service:kubernetes.default', { firstSeen: t0 + 60_000, lastSeen: t0 + 120_000, captures: new Set(['DNS'] as const) }],
    ['internet:api.stripe.com', { firstSeen: t0, lastSeen: t0, captures: new Set(['DNS'] as const) }],
  ]),
);

const observed = [
  object('shop', 'checkout', 'checkout', [
    { kubernetes: { name: 'payments.billing', kind: 'Deployment' } },
    { kubernetes: { name: 'cart', kind: 'Deployment' } },
    { service: { name: 'kubernetes.default' } },
    { internet: { domains: ['api.stripe.com'], ports: [443] } },
  ], { labels: managed, annotations: { [evidenceAnnotation]: evidence } }),
  object('shop', 'frontend', 'frontend', [{ kubernetes: { name: 'checkout', kind: 'Deployment' } }], { labels: managed }),
  object('billing', 'payments', 'payments', [{ service: { name: 'kubernetes.default' } }], { labels: managed }),
];

const declared = [
  // Declares the API server as a `kubernetes` Service target and payments without a kind: both match.
  object('shop', 'checkout-intents', 'checkout', [
    { kubernetes: { name: 'payments.billing' } },
    { kubernetes: { name: 'kubernetes.default', kind: 'Service' } },
    { kubernetes: { name: 'legacy-db' } },
    { sql: { name: 'ledger' } },
  ]),
  object('shop', 'frontend-intents', 'frontend', [{ kubernetes: { name: 'checkout', kind: 'Deployment' } }]),
  object('shop', 'old-batch', 'batch', [{ internet: { domains: ['old.example.com'] } }]),
];

describe('cli diff: observed against declared', () => {
  const diff = diffIntents(observed, declared.map((o) => ({ object: o, source: `${o.namespace}/${o.name}` })));

  it('lists per client the observed targets not declared and the declared ones not observed', () => {
    expect(diff.differ).to.equal(true);
    expect(diff.clients.map((c) => `${c.workload}.${c.namespace}`)).to.deep.equal(['payments.billing', 'batch.shop', 'checkout.shop']);
    const checkout = diff.clients.find((c) => c.workload === 'checkout')!;
    expect(checkout.missing.map((m) => m.target)).to.deep.equal(['cart in namespace shop', 'internet: api.stripe.com']);
    expect(checkout.missing[1]).to.deep.equal({ target: 'internet: api.stripe.com', firstSeen: '2026-11-26T03:00:00Z', lastSeen: '2026-11-26T03:00:00Z', capturedBy: ['DNS'] });
    // The sql target cannot be observed by network-mapper: never a candidate to remove.
    expect(checkout.unobserved).to.deep.equal([{ target: 'legacy-db in namespace shop', declaredIn: ['shop/checkout-intents'] }]);
    const payments = diff.clients.find((c) => c.workload === 'payments')!;
    expect(payments.declaredIn).to.deep.equal([]);
    expect(payments.missing).to.deep.equal([{ target: 'kubernetes in namespace default (Service)', capturedBy: [] }]);
  });

  it('prints text like kubectl diff (golden) and JSON (golden)', () => {
    expectGolden('diff.txt', renderDiff(diff));
    expectGolden('diff.json', renderDiffJson(diff));
  });

  it('finds no difference when every observed target is declared and every declared one observed', () => {
    const same = diffIntents(observed.slice(1, 2), [{ object: declared[1]!, source: 'frontend.yaml' }]);
    expect(same).to.deep.equal({ differ: false, clients: [] });
    expect(renderDiff(same)).to.equal('');
  });

  it('parses its flags: -o json, --against DIR, and refuses --all', () => {
    expect(buildDiff({ output: 'json', against: 'repo', namespace: ['shop'] })).to.deep.include({ kind: 'diff', output: 'json', against: 'repo' });
    expect(buildDiff({})).to.have.nested.property('selection.includeUserManaged', true);
    expect(() => buildDiff({ all: true })).to.throw(/--all does not apply to diff/);
    expect(() => buildDiff({ output: 'yaml' })).to.throw('-o/--output: "yaml" is not one of text, json');
  });
});
