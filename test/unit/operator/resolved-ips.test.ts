import { expect } from 'chai';
import { clientKeyOf, IntentsStore } from '../../../src/operator/core/intents-store.js';
import { planClientIntents, type ExistingIntents } from '../../../src/operator/core/plan.js';
import { minute, t0 } from './fixtures.js';

const hour = 60 * minute;
const client = { namespace: 'shop', name: 'checkout', kind: 'Deployment' };
const checkoutKey = clientKeyOf(client.namespace, client.name, client.kind);
const opts = { now: t0, evidenceIntervalMs: 5 * minute };
const grace = 10 * minute;

function answered(store: IntentsStore, domain: string, ips: string[], at: number, ttlSeconds = 60): void {
  store.record(client, { type: 'internet', domain }, 'DNS', at, at);
  store.rememberDns(client, domain, ips, at + hour, { seenAt: at, ttlMs: ttlSeconds * 1000 });
}

const ipsOf = (store: IntentsStore, domain: string): string[] | undefined => store.desired(checkoutKey)!.resolvedIPs.find((r) => r.dns === domain)?.ips;

describe('status.resolvedIPs follows rotating IPs', () => {
  it('drops an IP once its TTL plus the grace period has passed without a new answer', () => {
    const store = new IntentsStore(1024, { resolvedIpGraceMs: grace });
    answered(store, 'api.stripe.com', ['203.0.113.1', '203.0.113.2'], t0);
    answered(store, 'api.stripe.com', ['203.0.113.3'], t0 + 5 * minute);
    expect(ipsOf(store, 'api.stripe.com')).to.deep.equal(['203.0.113.1', '203.0.113.2', '203.0.113.3']);
    // 60 s TTL + 10 min grace after t0: the first two are gone, the rotated-in one stays.
    expect(store.expire(t0 + 11 * minute + 1, 0)).to.deep.equal([checkoutKey]);
    expect(ipsOf(store, 'api.stripe.com')).to.deep.equal(['203.0.113.3']);
    // An answer again refreshes an IP.
    answered(store, 'api.stripe.com', ['203.0.113.3'], t0 + 15 * minute);
    store.expire(t0 + 20 * minute, 0);
    expect(ipsOf(store, 'api.stripe.com')).to.deep.equal(['203.0.113.3']);
  });

  it('keeps at most 64 IPs per domain: the most recently answered', () => {
    const store = new IntentsStore(1024);
    for (let i = 1; i <= 100; i++) answered(store, 'cdn.example.com', [`198.51.100.${i}`], t0 + i * 1000);
    const ips = ipsOf(store, 'cdn.example.com')!;
    expect(ips).to.have.length(64);
    expect(ips).to.include('198.51.100.100');
    expect(ips).to.not.include('198.51.100.36');
    expect(ips).to.include('198.51.100.37');
  });

  it('writes the shorter list (an empty one too) when IPs age out', () => {
    const store = new IntentsStore(1024, { resolvedIpGraceMs: grace });
    answered(store, 'api.stripe.com', ['203.0.113.1'], t0);
    const first = planClientIntents(store.desired(checkoutKey)!, [], opts);
    const existing: ExistingIntents = { namespace: 'shop', name: 'checkout', managed: true, spec: first.apply!.spec, annotations: first.apply!.metadata.annotations!, resolvedIPs: first.applyStatus!.status!.resolvedIPs };
    store.expire(t0 + hour, 0);
    const plan = planClientIntents(store.desired(checkoutKey)!, [existing], { ...opts, now: t0 + hour });
    expect(plan.applyStatus?.status).to.deep.equal({ resolvedIPs: [] });
    expect(plan.apply).to.equal(undefined);
  });
});

describe('status.resolvedIPs of ClientIntents that users wrote', () => {
  const userSpec = { workload: { name: 'checkout', kind: 'Deployment' }, targets: [{ internet: { domains: ['api.stripe.com', '*.github.com'], ports: [443] } }, { kubernetes: { name: 'cart' } }] };
  const user = (resolvedIPs?: ExistingIntents['resolvedIPs']): ExistingIntents => ({ namespace: 'shop', name: 'checkout-policy', managed: false, spec: userSpec, annotations: {}, resolvedIPs });

  it('writes only the status of the user\'s object, for its internet domains (wildcards included), never its spec', () => {
    const store = new IntentsStore(1024);
    answered(store, 'api.stripe.com', ['203.0.113.5'], t0);
    answered(store, 'api.github.com', ['140.82.112.6'], t0);
    answered(store, 'codeload.github.com', ['140.82.112.9'], t0);
    answered(store, 'example.org', ['192.0.2.1'], t0);
    const plan = planClientIntents(store.desired(checkoutKey)!, [user()], opts);
    expect(plan.apply).to.equal(undefined);
    expect(plan.delete).to.equal(undefined);
    expect(plan.applyStatus).to.deep.equal({
      apiVersion: 'k8s.otterize.com/v2beta1',
      kind: 'ClientIntents',
      metadata: { name: 'checkout-policy', namespace: 'shop' },
      status: { resolvedIPs: [{ dns: '*.github.com', ips: ['140.82.112.6', '140.82.112.9'] }, { dns: 'api.stripe.com', ips: ['203.0.113.5'] }] },
    });
    expect(plan.event?.message).to.match(/example\.org/);
  });

  it('writes nothing when the user\'s status already matches', () => {
    const store = new IntentsStore(1024);
    answered(store, 'api.stripe.com', ['203.0.113.5'], t0);
    const plan = planClientIntents(store.desired(checkoutKey)!, [user([{ dns: 'api.stripe.com', ips: ['203.0.113.5'] }])], opts, 'fingerprint-of-nothing-missing');
    expect(plan.applyStatus).to.equal(undefined);
    expect(plan.apply).to.equal(undefined);
  });
});
