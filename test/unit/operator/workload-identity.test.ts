import { expect } from 'chai';
import { ownerKey, resolveWorkloadIdentity, type OwnerLookup } from '../../../src/operator/core/workload-identity.js';
import type { OwnerRef, PodInfo } from '../../../src/operator/core/types.js';
import { pod, ref } from './fixtures.js';

function resolveWith(p: PodInfo, owners: Record<string, OwnerLookup>): ReturnType<typeof resolveWorkloadIdentity> {
  const cache = (ns: string, r: OwnerRef): OwnerLookup | undefined => owners[ownerKey(ns, r)];
  return resolveWorkloadIdentity(p, cache);
}

describe('resolveWorkloadIdentity', () => {
  it('walks Pod -> ReplicaSet -> Deployment, asking for each owner it has not read', () => {
    const p = pod('shop', 'cart-7d9-x', [], { ownerReferences: [ref('ReplicaSet', 'cart-7d9')] });
    const owners: Record<string, OwnerLookup> = {};
    const first = resolveWith(p, owners);
    expect(first).to.deep.include({ status: 'needOwner', namespace: 'shop' });
    owners[ownerKey('shop', ref('ReplicaSet', 'cart-7d9'))] = { status: 'found', ownerReferences: [ref('Deployment', 'cart')] };
    const second = resolveWith(p, owners);
    expect(second.status === 'needOwner' && second.ref.kind).to.equal('Deployment');
    owners[ownerKey('shop', ref('Deployment', 'cart'))] = { status: 'found', ownerReferences: [] };
    expect(resolveWith(p, owners)).to.deep.equal({ status: 'resolved', identity: { namespace: 'shop', name: 'cart', kind: 'Deployment' } });
  });

  it('walks Pod -> Job -> CronJob', () => {
    const p = pod('ops', 'backup-123-abc', [], { ownerReferences: [ref('Job', 'backup-123', 'batch/v1')] });
    const owners = {
      [ownerKey('ops', ref('Job', 'backup-123', 'batch/v1'))]: { status: 'found', ownerReferences: [ref('CronJob', 'backup', 'batch/v1')] },
      [ownerKey('ops', ref('CronJob', 'backup', 'batch/v1'))]: { status: 'found', ownerReferences: [] },
    } satisfies Record<string, OwnerLookup>;
    expect(resolveWith(p, owners)).to.deep.equal({ status: 'resolved', identity: { namespace: 'ops', name: 'backup', kind: 'CronJob' } });
  });

  for (const status of ['forbidden', 'notFound', 'unknownKind'] as const) {
    it(`stops at an owner that is ${status} and names it`, () => {
      const p = pod('ns', 'w-1', [], { ownerReferences: [ref('Widget', 'w', 'example.com/v1')] });
      const owners = { [ownerKey('ns', ref('Widget', 'w', 'example.com/v1'))]: { status } };
      expect(resolveWith(p, owners)).to.deep.equal({ status: 'resolved', identity: { namespace: 'ns', name: 'w', kind: 'Widget' } });
    });
  }

  it('a bare pod is its own workload, kind Pod', () => {
    expect(resolveWith(pod('ns', 'debug', []), {})).to.deep.equal({ status: 'resolved', identity: { namespace: 'ns', name: 'debug', kind: 'Pod' } });
  });

  it('overrides: workload-name annotation, then legacy service-name, then the label; no kind', () => {
    const owned = { ownerReferences: [ref('ReplicaSet', 'x')] };
    const all = pod('ns', 'p', [], {
      ...owned,
      annotations: { 'intents.otterize.com/workload-name': 'first', 'intents.otterize.com/service-name': 'second' },
      labels: { 'otterize/service-name': 'third' },
    });
    expect(resolveWith(all, {})).to.deep.equal({ status: 'resolved', identity: { namespace: 'ns', name: 'first' } });
    const legacy = pod('ns', 'p', [], { ...owned, annotations: { 'intents.otterize.com/service-name': 'second' }, labels: { 'otterize/service-name': 'third' } });
    expect(resolveWith(legacy, {})).to.deep.equal({ status: 'resolved', identity: { namespace: 'ns', name: 'second' } });
    const label = pod('ns', 'p', [], { ...owned, labels: { 'otterize/service-name': 'third' } });
    expect(resolveWith(label, {})).to.deep.equal({ status: 'resolved', identity: { namespace: 'ns', name: 'third' } });
    const blank = pod('ns', 'p', [], { annotations: { 'intents.otterize.com/workload-name': '  ' } });
    expect(resolveWith(blank, {})).to.deep.equal({ status: 'resolved', identity: { namespace: 'ns', name: 'p', kind: 'Pod' } });
  });

  it('follows the controller reference when there are several owners', () => {
    const p = pod('ns', 'p', [], { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c' }, ref('StatefulSet', 'db')] });
    const owners = { [ownerKey('ns', ref('StatefulSet', 'db'))]: { status: 'found', ownerReferences: [] } } satisfies Record<string, OwnerLookup>;
    expect(resolveWith(p, owners)).to.deep.equal({ status: 'resolved', identity: { namespace: 'ns', name: 'db', kind: 'StatefulSet' } });
  });
});
