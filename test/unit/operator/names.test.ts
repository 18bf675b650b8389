import { expect } from 'chai';
import { parseClusterName } from '../../../src/operator/core/cluster-dns.js';
import { intentsName, isValidObjectName, objectNameFor, targetName } from '../../../src/operator/core/names.js';

describe('names', () => {
  it('writes dots as underscores and other namespaces as name.namespace', () => {
    expect(intentsName('my-app.4.2')).to.equal('my-app_4_2');
    expect(targetName('my-app.4.2', 'shop', 'shop')).to.equal('my-app_4_2');
    expect(targetName('payments', 'billing', 'shop')).to.equal('payments.billing');
  });

  it('keeps valid object names and cleans the rest into stable, distinct, valid names', () => {
    expect(objectNameFor({ name: 'checkout' })).to.equal('checkout');
    expect(objectNameFor({ name: 'my-app.4.2' })).to.equal('my-app.4.2');
    const upper = objectNameFor({ name: 'My_App' });
    const other = objectNameFor({ name: 'my app' });
    for (const n of [upper, other, objectNameFor({ name: '__' }), objectNameFor({ name: 'x'.repeat(300) })]) expect(isValidObjectName(n), n).to.equal(true);
    expect(upper).to.match(/^my-app-[0-9a-f]{8}$/);
    expect(upper).to.not.equal(other);
    expect(objectNameFor({ name: 'My_App' })).to.equal(upper);
  });
});

describe('parseClusterName', () => {
  it('reads Service names, headless forms and pod names; other names are external', () => {
    expect(parseClusterName('cart.shop.svc.cluster.local', 'cluster.local')).to.deep.equal({ kind: 'service', namespace: 'shop', service: 'cart' });
    expect(parseClusterName('db-0.db.data.svc.cluster.local', 'cluster.local')).to.deep.equal({ kind: 'service', namespace: 'data', service: 'db' });
    expect(parseClusterName('10-1-2-3.shop.pod.cluster.local', 'cluster.local')).to.deep.equal({ kind: 'pod', namespace: 'shop', ip: '10.1.2.3' });
    expect(parseClusterName('fd00--5.shop.pod.cluster.local', 'cluster.local')).to.deep.equal({ kind: 'pod', namespace: 'shop', ip: 'fd00::5' });
    expect(parseClusterName('cart.shop.svc.corp.example', 'corp.example')).to.deep.equal({ kind: 'service', namespace: 'shop', service: 'cart' });
    expect(parseClusterName('cart.shop.svc.cluster.local', 'corp.example')).to.deep.equal({ kind: 'external' });
    expect(parseClusterName('api.stripe.com', 'cluster.local')).to.deep.equal({ kind: 'external' });
    expect(parseClusterName('shop.svc.cluster.local', 'cluster.local')).to.deep.equal({ kind: 'unknown-in-cluster' });
    expect(parseClusterName('notcluster.local', 'cluster.local')).to.deep.equal({ kind: 'external' });
  });
});
