import { expect } from 'chai';
import { ClusterIndex } from '../../../src/operator/core/cluster-index.js';
import { clientKeyOf, IntentsStore, type StoreMap } from '../../../src/operator/core/intents-store.js';
import { IpHistory } from '../../../src/operator/core/ip-history.js';
import { resolveObservation } from '../../../src/operator/core/observation-resolver.js';
import { operatorConfigSchema, settingsFromEnv } from '../../../src/operator/core/operator-config.js';
import { planClientIntents, type ExistingIntents } from '../../../src/operator/core/plan.js';
import { GoneNamespaces } from '../../../src/operator/core/gone-namespaces.js';
import { maintenancePass } from '../../../src/operator/core/maintenance.js';
import { conn, minute, observation, pod, t0 } from './fixtures.js';

const hour = 60 * minute;
const web = { namespace: 'shop', name: 'web', kind: 'Deployment' };
const webKey = clientKeyOf(web.namespace, web.name, web.kind);

/** Plays the shell: plans each changed client against "etcd" (a map) and executes the plan. */
class FakeCluster {
  readonly objects = new Map<string, ExistingIntents>();
  deletes = 0;

  sync(store: IntentsStore, keys: Iterable<string>, now: number): void {
    for (const key of keys) {
      const desired = store.desired(key);
      if (!desired) continue;
      const inNamespace = [...this.objects.values()].filter((o) => o.namespace === desired.namespace);
      const plan = planClientIntents(desired, inNamespace, { now, evidenceIntervalMs: 5 * minute });
      if (plan.apply) {
        const { name, namespace, annotations } = plan.apply.metadata;
        this.objects.set(`${namespace}/${name}`, { namespace, name, managed: true, spec: plan.apply.spec, annotations: annotations ?? {} });
      }
      if (plan.delete) {
        this.objects.delete(`${plan.delete.namespace}/${plan.delete.name}`);
        this.deletes++;
        store.forget(key);
      }
    }
  }
}

describe('bounded memory and expiry on by default', () => {
  it('defaults: targets expire after 30 days, gone workloads after 24 h, processed observations are deleted at once', () => {
    const settings = settingsFromEnv(operatorConfigSchema.parse({}), 'op');
    expect(settings.targetExpiryMs).to.equal(30 * 24 * hour);
    expect(settings.goneWorkloadMs).to.equal(24 * hour);
    expect(settings.observationRetentionMs).to.equal(0);
    expect(settings.resolvedIpGraceMs).to.equal(hour);
  });

  it('thousands of uniquely named short-lived clients (bare CI pods) neither grow the store past its bound nor leave ClientIntents behind', () => {
    const evictions = new Map<StoreMap, number>();
    const maxClients = 500;
    const goneMs = 2 * hour;
    const store = new IntentsStore(1024, { maxClients, onEvict: (map, n) => evictions.set(map, (evictions.get(map) ?? 0) + n) });
    const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 10 * minute });
    const gone = new GoneNamespaces(10 * minute);
    index.upsertPod(pod('shop', 'cart-1', ['10.1.0.2'], { ownerReferences: [] }), { namespace: 'shop', name: 'cart', kind: 'Deployment' }, t0);
    const cluster = new FakeCluster();
    let maxSeen = 0;
    const runs = 3000;
    // One CI pod every 10 s, each alive 10 s, each with a name of its own; IPs are reused.
    for (let i = 0; i < runs; i++) {
      const at = t0 + i * 10_000;
      const ip = `10.2.${Math.floor((i % 500) / 250)}.${(i % 250) + 1}`;
      const name = `ci-run-${i}`;
      index.upsertPod(pod('ci', name, [ip], { start: at }), { namespace: 'ci', name, kind: 'Pod' }, at);
      const outcome = resolveObservation(observation({ windowStart: new Date(at).toISOString(), windowEnd: new Date(at + 10_000).toISOString(), connections: [conn(ip, '10.1.0.2', 8080, at + 5000)] }), index, store, { internetTargets: true, dnsMemoryMs: hour });
      cluster.sync(store, outcome.changedClients, at + 6000);
      index.removePod('ci', name, at + 9000);
      // The shell's maintenance runs every 30 s: the same pass (core/maintenance.ts).
      if (i % 3 === 2) {
        const now = at + 10_000;
        cluster.sync(store, maintenancePass({ index, gone, store }, now, { targetExpiryMs: 30 * 24 * hour, goneWorkloadMs: goneMs }), now);
      }
      maxSeen = Math.max(maxSeen, store.size.clients);
    }
    expect(maxSeen).to.be.at.most(maxClients);
    // Past the bound, the least recently active clients were given up (and their objects deleted).
    expect(evictions.get('clients') ?? 0).to.be.greaterThan(0);
    expect(store.size.tombstones).to.be.at.most(maxClients);
    expect(cluster.objects.size).to.be.at.most(maxClients);

    // Nothing new runs: once the gone time has passed, every CI client's ClientIntents is deleted.
    const later = t0 + runs * 10_000 + goneMs + minute;
    cluster.sync(store, maintenancePass({ index, gone, store }, later, { targetExpiryMs: 30 * 24 * hour, goneWorkloadMs: goneMs }), later);
    expect([...cluster.objects.keys()].filter((k) => k.startsWith('ci/'))).to.deep.equal([]);
    expect(cluster.deletes).to.equal(runs);
    expect(store.size.clients).to.equal(0);
  });

  it('keeps the ClientIntents of a workload that still has a pod, however long it is quiet', () => {
    const store = new IntentsStore(1024);
    store.record(web, { type: 'kubernetes', name: 'cart', kind: 'Deployment' }, 'SYN', t0, t0);
    expect(store.expireGone(t0 + 48 * hour, 24 * hour, [web])).to.deep.equal([]);
    expect(store.desired(webKey)!.spec.targets).to.have.length(1);
    // Gone from then on: its ClientIntents goes 24 h later, not before.
    expect(store.expireGone(t0 + 71 * hour, 24 * hour, [])).to.deep.equal([]);
    expect(store.expireGone(t0 + 72 * hour, 24 * hour, [])).to.deep.equal([webKey]);
    expect(store.desired(webKey)!.spec.targets).to.deep.equal([]);
  });

  it('tells a gone CronJob from a present Deployment of the same name: each keeps or loses its own ClientIntents', () => {
    const cron = { namespace: 'shop', name: 'web', kind: 'CronJob' };
    const cronKey = clientKeyOf(cron.namespace, cron.name, cron.kind);
    const store = new IntentsStore(1024);
    const cluster = new FakeCluster();
    store.record(web, { type: 'kubernetes', name: 'cart', kind: 'Deployment' }, 'SYN', t0, t0);
    store.record(cron, { type: 'kubernetes', name: 'db', kind: 'StatefulSet' }, 'SYN', t0, t0);
    cluster.sync(store, [webKey, cronKey], t0);
    expect([...cluster.objects.keys()].sort()).to.deep.equal(['shop/web', 'shop/web-cronjob']);
    // Only the Deployment has pods: the CronJob goes after the gone time, the Deployment stays.
    expect(store.expireGone(t0 + 25 * hour, 24 * hour, [web])).to.deep.equal([cronKey]);
    cluster.sync(store, store.buried(), t0 + 25 * hour);
    expect([...cluster.objects.keys()]).to.deep.equal(['shop/web']);
    expect(store.desired(webKey)!.spec.targets).to.have.length(1);
    // And the other way round: a CronJob's pods do not keep a gone Deployment of that name.
    store.record(cron, { type: 'kubernetes', name: 'db', kind: 'StatefulSet' }, 'SYN', t0 + 25 * hour, t0 + 25 * hour);
    cluster.sync(store, [cronKey], t0 + 25 * hour);
    expect(store.expireGone(t0 + 50 * hour, 24 * hour, [cron])).to.deep.equal([webKey]);
    cluster.sync(store, store.buried(), t0 + 50 * hour);
    expect([...cluster.objects.keys()]).to.deep.equal(['shop/web-cronjob']);
  });

  it('bounds the DNS memory, evicting the least recently refreshed answer first', () => {
    const evicted: [StoreMap, number][] = [];
    const store = new IntentsStore(1024, { maxDnsMemory: 100, onEvict: (map, n) => evicted.push([map, n]) });
    for (let i = 0; i < 300; i++) store.rememberDns(web, `host-${i}.example.com`, [`203.0.${Math.floor(i / 250)}.${(i % 250) + 1}`], t0 + hour);
    expect(store.size.dnsMemory).to.equal(100);
    expect(evicted.filter(([m]) => m === 'dns-memory').reduce((sum, [, n]) => sum + n, 0)).to.equal(200);
    expect(store.domainFor(web, '203.0.0.1', t0)).to.equal(undefined);
    expect(store.domainFor(web, '203.0.1.50', t0)).to.equal('host-299.example.com');
  });

  it('ages the DNS memory even when target expiry is off', () => {
    const store = new IntentsStore(1024);
    store.rememberDns(web, 'api.stripe.com', ['203.0.113.5'], t0 + hour);
    store.expire(t0 + 2 * hour, 0);
    expect(store.size.dnsMemory).to.equal(0);
  });

  it('bounds the IP history of ended pods by count as well as by age', () => {
    let evicted = 0;
    const history = new IpHistory(24 * hour, 3000, 100, (n) => (evicted += n));
    for (let i = 0; i < 1000; i++) {
      history.set(`ci/p-${i}`, [`10.3.${Math.floor(i / 250)}.${(i % 250) + 1}`], { identity: undefined, hostNetwork: false, start: t0 + i, end: undefined }, t0 + i);
      history.end(`ci/p-${i}`, t0 + i + 1);
    }
    history.prune(t0 + 2000);
    expect(history.size).to.equal(100);
    expect(evicted).to.equal(900);
    // The newest ended pods are the ones kept.
    expect(history.holder('10.3.3.250', t0 + 999, t0 + 999).kind).to.equal('pod');
    expect(history.holder('10.3.0.1', t0, t0).kind).to.equal('unknown');
  });
});
