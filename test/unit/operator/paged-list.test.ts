import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import { pagedList } from '../../../src/operator/shell/paged-list.js';

describe('pagedList', () => {
  it('follows continue tokens, trims every item and keeps the first page resourceVersion', async () => {
    const all: KubernetesObject[] = Array.from({ length: 7 }, (_, i) => ({ metadata: { name: `o${i}`, labels: { big: 'x' } } }));
    const asked: (string | undefined)[] = [];
    const list = await pagedList(
      async ({ limit, _continue }) => {
        asked.push(_continue);
        const start = Number(_continue ?? 0);
        const end = start + limit;
        return { metadata: { resourceVersion: start === 0 ? '100' : '999', _continue: end < all.length ? String(end) : undefined }, items: all.slice(start, end).map((o) => structuredClone(o)) };
      },
      3,
      (o) => delete o.metadata!.labels,
    );
    expect(asked).to.deep.equal([undefined, '3', '6']);
    expect(list.items.map((o) => o.metadata?.name)).to.deep.equal(['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6']);
    expect(list.items.every((o) => o.metadata?.labels === undefined)).to.equal(true);
    expect(list.metadata?.resourceVersion).to.equal('100');
  });
});
