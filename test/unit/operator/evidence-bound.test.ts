import { expect } from 'chai';
import { intentsBounds, maxDnsNameLength } from '../../../src/crds/bounds.js';
import { decodeEvidence, evidenceAnnotation, evidenceBudgetBytes, evidenceTruncatedAnnotation } from '../../../src/operator/core/evidence.js';
import { clientKeyOf, IntentsStore } from '../../../src/operator/core/intents-store.js';
import { planClientIntents, type ExistingIntents } from '../../../src/operator/core/plan.js';
import { minute, t0 } from './fixtures.js';

/** The API server refuses an object whose annotations (keys and values) exceed 256 KiB in total. */
const annotationLimitBytes = 256 * 1024;
const client = { namespace: 'shop', name: 'frontend', kind: 'Deployment' };
const frontendKey = clientKeyOf(client.namespace, client.name, client.kind);
const opts = { now: t0 + 60 * minute, evidenceIntervalMs: 5 * minute };

function annotationBytes(annotations: Record<string, string>): number {
  return Object.entries(annotations).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/** As many targets as the CRD allows, each with the longest name and every capture. */
function storeAtTheBound(): IntentsStore {
  const store = new IntentsStore(intentsBounds.targetsPerWorkload);
  for (let i = 0; i < intentsBounds.targetsPerWorkload; i++) {
    const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${String(i).padStart(4, '0')}.${'g'.repeat(maxDnsNameLength - 60 * 3 - 4 - 4 - 7)}.example`.slice(0, maxDnsNameLength);
    for (const capture of ['DNS', 'SYN', 'SocketScan'] as const) store.record(client, { type: 'internet', domain }, capture, t0 + i * 1000, t0 + i * 1000);
  }
  return store;
}

describe('evidence annotation at the CRD bound', () => {
  it('stays under the 256 KiB annotation limit with 1024 targets of the longest names', () => {
    const plan = planClientIntents(storeAtTheBound().desired(frontendKey)!, [], opts);
    const annotations = plan.apply!.metadata.annotations!;
    expect(plan.apply!.spec!.targets).to.have.length(intentsBounds.targetsPerWorkload);
    expect(annotationBytes(annotations)).to.be.at.most(evidenceBudgetBytes + 1024);
    expect(evidenceBudgetBytes).to.be.below(annotationLimitBytes - 32 * 1024);
  });

  it('keeps the most recently seen targets and marks how many were left out', () => {
    const plan = planClientIntents(storeAtTheBound().desired(frontendKey)!, [], opts);
    const annotations = plan.apply!.metadata.annotations!;
    const kept = decodeEvidence(annotations[evidenceAnnotation]);
    const omitted = Number(annotations[evidenceTruncatedAnnotation]);
    expect(kept.size + omitted).to.equal(intentsBounds.targetsPerWorkload);
    expect(omitted).to.be.greaterThan(0);
    const keptLastSeen = [...kept.values()].map((e) => e.lastSeen);
    // The newest target (the last recorded) is kept, the oldest is not.
    expect(Math.max(...keptLastSeen)).to.equal(Math.floor((t0 + 1023 * 1000) / 1000) * 1000);
    expect(Math.min(...keptLastSeen)).to.equal(t0 + omitted * 1000);
  });

  it('is deterministic and plans no rewrite for unchanged traffic once the capped evidence is written', () => {
    const desired = storeAtTheBound().desired(frontendKey)!;
    const first = planClientIntents(desired, [], opts);
    expect(planClientIntents(desired, [], opts).apply!.metadata.annotations).to.deep.equal(first.apply!.metadata.annotations);
    const existing: ExistingIntents = { namespace: 'shop', name: 'frontend', managed: true, spec: JSON.parse(JSON.stringify(first.apply!.spec)), annotations: first.apply!.metadata.annotations! };
    expect(planClientIntents(desired, [existing], { ...opts, now: opts.now + 10 * minute }).apply).to.equal(undefined);
  });

  it('writes no truncation mark when everything fits', () => {
    const store = new IntentsStore(1024);
    store.record(client, { type: 'kubernetes', name: 'cart', kind: 'Deployment' }, 'SYN', t0, t0);
    const annotations = planClientIntents(store.desired(frontendKey)!, [], opts).apply!.metadata.annotations!;
    expect(annotations).to.not.have.property(evidenceTruncatedAnnotation);
    expect(decodeEvidence(annotations[evidenceAnnotation]).size).to.equal(1);
  });
});
