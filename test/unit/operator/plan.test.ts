import { expect } from 'chai';
import { clientIntentsSpec } from '../../../src/crds/client-intents.js';
import { decodeEvidence, evidenceAnnotation } from '../../../src/operator/core/evidence.js';
import { IntentsStore, clientKeyOf } from '../../../src/operator/core/intents-store.js';
import { planClientIntents, type ExistingIntents } from '../../../src/operator/core/plan.js';
import { minute, t0 } from './fixtures.js';

const client = { namespace: 'shop', name: 'frontend', kind: 'Deployment' };
const opts = { now: t0 + 10 * minute, evidenceIntervalMs: 5 * minute };

function storeWithTargets(): IntentsStore {
  const store = new IntentsStore(1024);
  store.record(client, { type: 'kubernetes', name: 'cart', kind: 'Deployment' }, 'SYN', t0, t0 + minute);
  store.record(client, { type: 'internet', domain: 'api.stripe.com' }, 'DNS', t0, t0 + minute);
  store.record(client, { type: 'internet', domain: 'api.stripe.com' }, 'SYN', t0, t0 + minute, 443);
  store.rememberDns(client, 'api.stripe.com', ['203.0.113.5'], t0 + 10 * minute);
  store.record(client, { type: 'service', name: 'kubernetes.default' }, 'SocketScan', t0, t0 + minute);
  return store;
}

function asExisting(apply: NonNullable<ReturnType<typeof planClientIntents>['apply']>, resolvedIPs?: ExistingIntents['resolvedIPs']): ExistingIntents {
  return { namespace: apply.metadata.namespace, name: apply.metadata.name, managed: true, spec: JSON.parse(JSON.stringify(apply.spec)), annotations: apply.metadata.annotations ?? {}, resolvedIPs };
}

describe('planClientIntents', () => {
  it('creates a valid, labelled, deterministically sorted ClientIntents and its resolvedIPs', () => {
    const plan = planClientIntents(storeWithTargets().desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [], opts);
    expect(plan.apply?.metadata).to.deep.include({ name: 'frontend', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'network-mapper' } });
    expect(plan.apply?.spec).to.deep.equal({
      workload: { name: 'frontend', kind: 'Deployment' },
      targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { service: { name: 'kubernetes.default' } }, { internet: { domains: ['api.stripe.com'], ports: [443] } }],
    });
    expect(clientIntentsSpec.safeParse(plan.apply?.spec).success).to.equal(true);
    expect(plan.apply).to.not.have.property('status');
    expect(plan.applyStatus?.status).to.deep.equal({ resolvedIPs: [{ dns: 'api.stripe.com', ips: ['203.0.113.5'] }] });
    expect(plan.applyStatus).to.not.have.property('spec');
    expect(decodeEvidence(plan.apply?.metadata.annotations?.[evidenceAnnotation]).size).to.equal(3);
  });

  it('plans nothing when the object already matches, also for a store rebuilt from it', () => {
    const desired = storeWithTargets().desired(clientKeyOf('shop', 'frontend', 'Deployment'))!;
    const first = planClientIntents(desired, [], opts);
    const existing = asExisting(first.apply!, first.applyStatus!.status!.resolvedIPs);
    expect(planClientIntents(desired, [existing], opts)).to.deep.equal({});

    const rebuilt = new IntentsStore(1024);
    rebuilt.seed({ namespace: 'shop', objectName: existing.name, spec: clientIntentsSpec.parse(existing.spec), evidence: decodeEvidence(existing.annotations[evidenceAnnotation]), resolvedIPs: existing.resolvedIPs }, opts.now);
    expect(planClientIntents(rebuilt.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [existing], { ...opts, now: opts.now + minute })).to.deep.equal({});
  });

  it('writes a new target at once, but throttles evidence-only changes', () => {
    const store = storeWithTargets();
    const existing = asExisting(planClientIntents(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [], opts).apply!, [{ dns: 'api.stripe.com', ips: ['203.0.113.5'] }]);
    store.record(client, { type: 'kubernetes', name: 'cart', kind: 'Deployment' }, 'SYN', t0, t0 + 8 * minute);
    const throttled = planClientIntents(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [existing], { ...opts, now: opts.now + minute });
    expect(throttled.apply).to.equal(undefined);
    expect(throttled.recheckAfterMs).to.equal(4 * minute);
    expect(planClientIntents(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [existing], { ...opts, now: opts.now + 5 * minute }).apply).to.not.equal(undefined);
    store.record(client, { type: 'kubernetes', name: 'payments.billing', kind: 'StatefulSet' }, 'SYN', t0, t0 + 8 * minute);
    const changed = planClientIntents(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [existing], { ...opts, now: opts.now + minute });
    expect(changed.apply?.spec?.targets).to.have.length(4);
  });

  it('keeps the name of the object it manages and deletes it when every target expired', () => {
    const store = storeWithTargets();
    const existing = { ...asExisting(planClientIntents(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [], opts).apply!), name: 'frontend-old' };
    expect(planClientIntents(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [existing], opts).applyStatus?.metadata.name).to.equal('frontend-old');
    store.expire(t0 + 60 * minute, minute);
    expect(planClientIntents(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [existing], opts)).to.deep.equal({ delete: { namespace: 'shop', name: 'frontend-old' } });
  });

  it('leaves a user-managed ClientIntents alone and reports the targets it lacks, once', () => {
    const user: ExistingIntents = {
      namespace: 'shop',
      name: 'frontend-by-hand',
      managed: false,
      spec: { workload: { name: 'frontend' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }] },
      annotations: {},
    };
    const plan = planClientIntents(storeWithTargets().desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [user], opts);
    expect(plan.apply).to.equal(undefined);
    expect(plan.applyStatus).to.equal(undefined);
    expect(plan.event?.name).to.equal('frontend-by-hand');
    expect(plan.event?.message).to.contain('service kubernetes.default').and.contain('internet api.stripe.com').and.not.contain('cart');
    expect(planClientIntents(storeWithTargets().desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [user], opts, plan.event?.fingerprint)).to.deep.equal({ drift: plan.drift });
  });

  it('never applies over a foreign object that happens to have the name it would use', () => {
    const foreign: ExistingIntents = { namespace: 'shop', name: 'frontend', managed: false, spec: { workload: { name: 'other' }, targets: [] }, annotations: {} };
    const plan = planClientIntents(storeWithTargets().desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [foreign], opts);
    expect(plan.apply?.metadata.name).to.equal('frontend-netmap');
  });

  it('refuses to plan an object the schema would reject', () => {
    const store = new IntentsStore(1024);
    store.record(client, { type: 'kubernetes', name: 'a.b.c' }, 'SYN', t0, t0);
    expect(planClientIntents(store.desired(clientKeyOf('shop', 'frontend', 'Deployment'))!, [], opts).invalid).to.match(/targets/);
  });
});

describe('planClientIntents with a GitOps engine', () => {
  const key = clientKeyOf('shop', 'frontend', 'Deployment');
  const flux = { engine: 'Flux' as const, by: 'label kustomize.toolkit.fluxcd.io/name' };

  it('never writes the spec of an object git took over, releases our label from it once, and reports what git lacks', () => {
    const store = storeWithTargets();
    const ours = asExisting(planClientIntents(store.desired(key)!, [], opts).apply!);
    // The export committed to git had only the cart target; Flux applied it under our object's name.
    const applied: ExistingIntents = { ...ours, spec: { workload: { name: 'frontend', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }] }, gitOps: flux };
    const plan = planClientIntents(store.desired(key)!, [applied], opts);
    expect(plan.apply).to.equal(undefined);
    expect(plan.delete).to.equal(undefined);
    expect(plan.release).to.deep.equal({ apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'frontend', namespace: 'shop' } });
    expect(plan.drift).to.deep.equal({
      namespace: 'shop',
      name: 'frontend',
      workload: { name: 'frontend', kind: 'Deployment' },
      engine: 'Flux',
      undeclared: [{ service: { name: 'kubernetes.default' } }, { internet: { domains: ['api.stripe.com'], ports: [443] } }],
      unobserved: [],
    });
    expect(plan.event?.message).to.contain('applied by Flux').and.contain('service kubernetes.default').and.contain('internet api.stripe.com');
    // Released (no label, no annotations of ours): nothing to write, the same report not repeated.
    const released: ExistingIntents = { ...applied, managed: false, annotations: {} };
    const again = planClientIntents(store.desired(key)!, [released], opts, plan.event?.fingerprint);
    expect(again).to.deep.equal({ drift: plan.drift });
    // Our label left on it but no field ours any more (the engine took them over): nothing to release.
    expect(planClientIntents(store.desired(key)!, [{ ...applied, ownsFields: false }], opts).release).to.equal(undefined);
  });

  it('creates no second object for the client, even for a kind the engine\'s object names', () => {
    const applied: ExistingIntents = { namespace: 'shop', name: 'frontend-from-git', managed: false, spec: { workload: { name: 'frontend', kind: 'Deployment' }, targets: [] }, annotations: {}, gitOps: flux };
    const plan = planClientIntents(storeWithTargets().desired(key)!, [applied], opts);
    expect(plan.apply).to.equal(undefined);
    expect(plan.release).to.equal(undefined);
    expect(plan.drift?.undeclared).to.have.length(3);
  });

  it('reports declared targets the map has not held for the configured time, and not before', () => {
    const declared: ExistingIntents = {
      namespace: 'shop',
      name: 'frontend',
      managed: false,
      spec: { workload: { name: 'frontend' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { service: { name: 'legacy-billing' } }, { service: { name: 'kubernetes.default' } }, { internet: { domains: ['api.stripe.com'] } }] },
      annotations: {},
      gitOps: flux,
    };
    const early = planClientIntents(storeWithTargets().desired(key)!, [declared], { ...opts, unobservedAfterMs: 60 * minute, observingSince: opts.now - 10 * minute });
    expect(early.drift).to.deep.include({ undeclared: [], unobserved: [] });
    expect(early.event).to.equal(undefined);
    const late = planClientIntents(storeWithTargets().desired(key)!, [declared], { ...opts, unobservedAfterMs: 60 * minute, observingSince: opts.now - 61 * minute });
    expect(late.drift).to.deep.include({ undeclared: [], unobserved: [{ service: { name: 'legacy-billing' } }] });
    expect(late.event?.message).to.contain('1 declared target(s) not observed for 3600 s: service legacy-billing');
  });
});
