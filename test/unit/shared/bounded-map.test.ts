import { expect } from 'chai';
import { BoundedMap } from '../../../src/shared/core/bounded-map.js';
import { largestMapDuring } from '../../support/largest-map.js';

describe('BoundedMap: the one eviction helper of the operator and the sniffer', () => {
  it('gives up the least recently set first, counting what went, and set refreshes a key', () => {
    const evicted: string[] = [];
    const map = new BoundedMap<string, number>(3, { onEvict: (gone) => evicted.push(...gone.map(([key]) => key)) });
    map.set('a', 1).set('b', 2).set('c', 3);
    map.set('a', 10);
    map.set('d', 4);
    expect([...map.keys()]).to.deep.equal(['c', 'a', 'd']);
    expect(evicted).to.deep.equal(['b']);
    expect(map.get('a')).to.equal(10);
  });

  it('never holds more than its bound, at any moment, under a random mix of operations', () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const map = new BoundedMap<number, number>(16);
    const largest = largestMapDuring(() => {
      for (let i = 0; i < 20_000; i++) {
        const op = random(10);
        if (op < 6) map.set(random(64), i);
        else if (op < 8) map.delete(random(64));
        else if (op < 9) map.replaceAll(Array.from({ length: random(40) }, (_, k) => [k * 3 + random(3), i] as const));
        else map.dropOldestWhile((value) => value < i - 50);
      }
    });
    expect(largest).to.equal(16);
  });

  it('lets a store choose its victims, and makes up the count with the oldest when it chooses too few', () => {
    const gone: string[][] = [];
    const byValue = new BoundedMap<string, number>(4, {
      victims: (entries, needed) => [...entries].sort(([, a], [, b]) => a - b).slice(0, needed + 1).map(([key]) => key),
      onEvict: (evicted) => gone.push(evicted.map(([key]) => key)),
    });
    for (const [key, value] of [['a', 5], ['b', 1], ['c', 9], ['d', 2]] as const) byValue.set(key, value);
    byValue.set('e', 7);
    expect(gone).to.deep.equal([['b', 'd']]);
    expect([...byValue.keys()]).to.deep.equal(['a', 'c', 'e']);

    const stingy = new BoundedMap<string, number>(2, { victims: () => [] });
    stingy.set('a', 1).set('b', 2).set('c', 3);
    expect([...stingy.keys()]).to.deep.equal(['b', 'c']);
  });

  it('replaceAll keeps the newest `bound` entries (counted as evicted); dropOldestWhile ages the head', () => {
    let evicted = 0;
    const map = new BoundedMap<string, number>(3, { onEvict: (gone) => (evicted += gone.length) });
    map.replaceAll([['a', 1], ['b', 2], ['c', 3], ['d', 4], ['e', 5]]);
    expect([...map]).to.deep.equal([['c', 3], ['d', 4], ['e', 5]]);
    expect(evicted).to.equal(2);
    expect(map.dropOldestWhile((value) => value < 5)).to.equal(2);
    expect([...map.keys()]).to.deep.equal(['e']);
    expect(evicted).to.equal(2);
  });

  it('refuses a bound below 1 with a clear error', () => {
    expect(() => new BoundedMap(0)).to.throw(RangeError, /at least 1/);
  });
});
