import { expect } from 'chai';
import fc from 'fast-check';
import { HttpPaths } from '../../../src/shared/http-paths.js';
import { idPlaceholder, isIdLike, maxTemplatedPathLength, templatePath } from '../../../src/sniffer/core/http/path-template.js';

const path = (target: string) => {
  const result = templatePath(target);
  return result.ok ? result.path : `!${result.reason}`;
};

describe('HTTP path templating (sniffer core)', () => {
  it('drops query strings and fragments', () => {
    expect(path('/search?q=shoes&page=2')).to.equal('/search');
    expect(path('/a#frag')).to.equal('/a');
    expect(path('/?x')).to.equal('/');
  });

  it('replaces numbers, UUIDs, long hex and opaque tokens with {*}', () => {
    expect(idPlaceholder).to.equal('{*}');
    expect(path('/users/8812')).to.equal('/users/{*}');
    expect(path('/users/8812/orders/77')).to.equal('/users/{*}/orders/{*}');
    expect(path('/carts/3F2504E0-4F89-11D3-9A0C-0305E82C3301/items')).to.equal('/carts/{*}/items');
    expect(path('/blobs/5f1d7a9b3c2e4f60a1b2c3d4')).to.equal('/blobs/{*}');
    expect(path('/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709')).to.equal('/commits/{*}');
    expect(path('/sessions/aZ3kQ9xP2mL7nB4vC8tR')).to.equal('/sessions/{*}');
    expect(path(`/t/${'eyJhbGciOiJIUzI1NiJ9.'.repeat(4)}`)).to.equal('/t/{*}');
  });

  it('keeps words, versions and dates people name', () => {
    for (const kept of ['/v1/users', '/api/v2/catalogue-2024-edition', '/healthz', '/static/app.js', '/reports/2024-01-31',
      '/products/blue-running-shoes-size-42', '/deadbeef', '/a//b/']) {
      expect(path(kept)).to.equal(kept);
    }
    expect(isIdLike('')).to.equal(false);
  });

  it('takes the path of an absolute-form target and names nothing for authority or asterisk form', () => {
    expect(path('http://cart.shop:8080/items/12?x')).to.equal('/items/{*}');
    expect(path('http://cart.shop')).to.equal('/');
    expect(path('cart.shop:443')).to.equal('!no-path');
    expect(path('*')).to.equal('!no-path');
  });

  it('refuses a templated path longer than the bound', () => {
    const words = (length: number) => '/abc'.repeat(length / 4);
    expect(path(words(maxTemplatedPathLength + 4))).to.equal('!path-too-long');
    expect(path(words(maxTemplatedPathLength))).to.have.length(maxTemplatedPathLength);
    // Long segments are ids: a long raw path may still fit once templated.
    expect(path(`/${'a'.repeat(2000)}/x`)).to.equal('/{*}/x');
  });

  it('is stable: templating a templated path changes nothing, and ids never survive (property)', () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[a-z][a-z-]{0,12}$/),
      fc.nat().map(String),
      fc.uuid(),
      fc.stringMatching(/^[0-9a-f]{16,40}$/),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), fc.string({ maxLength: 20 }), (segments, query) => {
        const result = templatePath(`/${segments.join('/')}?${query}`);
        expect(result.ok).to.equal(true);
        if (!result.ok) return;
        expect(templatePath(result.path)).to.deep.equal(result);
        expect(result.path).to.not.match(/\/[0-9]+(\/|$)/);
        expect(result.path).to.not.include('?');
      }),
      { numRuns: 5_000, seed: 19 },
    );
    fc.assert(fc.property(fc.string({ maxLength: 600 }), (target) => {
      const result = templatePath(target);
      if (result.ok) expect(result.path.length).to.be.at.most(maxTemplatedPathLength);
    }), { numRuns: 5_000, seed: 19 });
  });
});

describe('HttpPaths: per-server cap and method merge', () => {
  it('merges methods per path, sorted and without repeats', () => {
    const paths = new HttpPaths(4);
    paths.add('/a', ['POST'], 10);
    paths.add('/a', ['GET', 'POST'], 5, 20);
    paths.add('/b', ['GET', 'GET'], 7);
    expect(paths.list()).to.deep.equal([
      { path: '/a', methods: ['GET', 'POST'], firstSeen: 5, lastSeen: 20 },
      { path: '/b', methods: ['GET'], firstSeen: 7, lastSeen: 7 },
    ]);
  });

  it('refuses new paths beyond the cap and counts them, while known paths still merge', () => {
    const paths = new HttpPaths(2);
    expect(paths.add('/a', ['GET'], 1)).to.equal(true);
    expect(paths.add('/b', ['GET'], 1)).to.equal(true);
    expect(paths.add('/c', ['GET'], 1)).to.equal(false);
    expect(paths.add('/d', ['PUT'], 1)).to.equal(false);
    expect(paths.add('/a', ['DELETE'], 2)).to.equal(true);
    expect(paths.size).to.equal(2);
    expect(paths.overflow).to.equal(2);
    expect(paths.list()[0]?.methods).to.deep.equal(['DELETE', 'GET']);
  });

  it('expires paths not seen since a cutoff, making room again', () => {
    const paths = new HttpPaths(2);
    paths.add('/old', ['GET'], 1);
    paths.add('/new', ['GET'], 100);
    expect(paths.expire(50)).to.equal(1);
    expect(paths.add('/other', ['GET'], 120)).to.equal(true);
    expect(paths.list().map((p) => p.path)).to.deep.equal(['/new', '/other']);
  });
});
