import { expect } from 'chai';
import { networkObservationSpec } from '../../../src/crds/network-observation.js';
import { ObservationBuffer, type DropReason, type RecordKind } from '../../../src/sniffer/core/observation-buffer.js';
import { maxHttpPathsPerServer } from '../../../src/sniffer/core/observation-window.js';
import type { ObservedHttpRequest } from '../../../src/sniffer/core/observed.js';

const t0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const req = (over: Partial<ObservedHttpRequest> = {}): ObservedHttpRequest => ({
  clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, method: 'GET', path: '/users/{*}', seenAt: t0 + 1000, ...over,
});

function buffer(options: { maxBytes?: number; drops?: [RecordKind, DropReason, number][]; rereportMs?: number } = {}): ObservationBuffer {
  return new ObservationBuffer({
    nodeName: 'node-a', maxBytes: options.maxBytes ?? 10_000_000, startMs: t0,
    onDrop: (k, r, n) => options.drops?.push([k, r, n]),
    ...(options.rereportMs ? { rereport: { intervalMs: options.rereportMs, maxRecords: 1000 } } : {}),
  });
}

describe('ObservationBuffer: HTTP requests', () => {
  it('deduplicates by client, server, port and path, merging methods, and writes schema-valid records', () => {
    const b = buffer();
    b.httpRequest(req({ method: 'POST', seenAt: t0 + 3000 }));
    b.httpRequest(req({ method: 'GET' }));
    b.httpRequest(req({ method: 'GET', seenAt: t0 + 2000 }));
    b.httpRequest(req({ clientIP: 'fd00::5', serverIP: 'fd00:10:96::a', path: '/' }));
    b.closeWindow(t0 + 10_000);
    const part = b.nextBatch()!.parts[0]!;
    expect(part.spec.httpRequests).to.deep.equal([
      { clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, path: '/users/{*}', methods: ['GET', 'POST'],
        firstSeen: '2026-11-26T03:00:01.000Z', lastSeen: '2026-11-26T03:00:03.000Z', count: 3 },
      { clientIP: 'fd00::5', serverIP: 'fd00:10:96::a', serverPort: 8080, path: '/', methods: ['GET'],
        firstSeen: '2026-11-26T03:00:01.000Z', lastSeen: '2026-11-26T03:00:01.000Z', count: 1 },
    ]);
    expect(part.spec).to.not.have.property('httpOverflow');
    expect(part.events).to.deep.equal({ dnsAnswer: 0, connection: 0, httpRequest: 4 });
    expect(networkObservationSpec.safeParse(part.spec).success).to.equal(true);
  });

  it('caps distinct paths per server across clients and reports the overflow per server', () => {
    const b = buffer();
    for (let i = 0; i < maxHttpPathsPerServer; i++) b.httpRequest(req({ clientIP: `10.244.0.${1 + (i % 3)}`, path: `/p${i}` }));
    b.httpRequest(req({ clientIP: '10.244.0.9', path: '/p0', method: 'PUT' }));
    b.httpRequest(req({ path: '/extra-a' }));
    b.httpRequest(req({ path: '/extra-b' }));
    b.httpRequest(req({ path: '/extra-a' }));
    b.httpRequest(req({ serverPort: 9090, path: '/other-port' }));
    b.closeWindow(t0 + 10_000);
    const parts = b.nextBatch()!.parts;
    const records = parts.flatMap((p) => p.spec.httpRequests ?? []);
    const onServer = records.filter((r) => r.serverPort === 8080);
    expect(new Set(onServer.map((r) => r.path)).size).to.equal(maxHttpPathsPerServer);
    expect(onServer.map((r) => r.path)).to.not.include('/extra-a');
    expect(records.find((r) => r.serverPort === 9090)?.path).to.equal('/other-port');
    expect(parts.flatMap((p) => p.spec.httpOverflow ?? [])).to.deep.equal([{ clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, count: 3 }]);
    expect(parts.reduce((sum, p) => sum + p.events.httpRequest, 0)).to.equal(maxHttpPathsPerServer + 5);
    for (const part of parts) expect(networkObservationSpec.safeParse(part.spec).success).to.equal(true);
  });

  it('keeps the cap when unsent windows merge', () => {
    const b = buffer();
    for (let i = 0; i < maxHttpPathsPerServer; i++) b.httpRequest(req({ path: `/a${i}` }));
    b.closeWindow(t0 + 10_000);
    b.httpRequest(req({ path: '/a1', method: 'DELETE', seenAt: t0 + 11_000 }));
    b.httpRequest(req({ path: '/b', seenAt: t0 + 11_000 }));
    b.closeWindow(t0 + 20_000);
    const parts = b.nextBatch()!.parts;
    const records = parts.flatMap((p) => p.spec.httpRequests ?? []);
    expect(records).to.have.length(maxHttpPathsPerServer);
    expect(records.find((r) => r.path === '/a1')?.methods).to.deep.equal(['DELETE', 'GET']);
    expect(parts.flatMap((p) => p.spec.httpOverflow ?? [])).to.deep.equal([{ clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, count: 1 }]);
  });

  it('counts invalid requests and those beyond the memory bound as dropped', () => {
    const drops: [RecordKind, DropReason, number][] = [];
    const b = buffer({ drops, maxBytes: 2_000 });
    b.httpRequest(req({ path: 'no-slash' }));
    b.httpRequest(req({ method: 'BREW' as ObservedHttpRequest['method'] }));
    b.httpRequest(req({ serverPort: 0 }));
    for (let i = 0; i < 10; i++) b.httpRequest(req({ path: `/x${i}` }));
    expect(drops.filter(([, reason]) => reason === 'invalid')).to.have.length(3);
    expect(drops.some(([kind, reason]) => kind === 'httpRequest' && reason === 'memory')).to.equal(true);
    expect(b.bytes).to.be.at.most(2_000);
  });

  it('re-reports a steady path once per interval but a new method at once', () => {
    const b = buffer({ rereportMs: 300_000 });
    b.httpRequest(req());
    b.closeWindow(t0 + 10_000);
    expect(b.nextBatch()!.parts[0]!.spec.httpRequests).to.have.length(1);
    b.partWritten();
    b.httpRequest(req({ seenAt: t0 + 12_000 }));
    b.closeWindow(t0 + 15_000);
    expect(b.nextBatch()).to.equal(undefined);
    b.httpRequest(req({ method: 'PATCH', seenAt: t0 + 16_000 }));
    b.closeWindow(t0 + 18_000);
    expect(b.nextBatch()!.parts[0]!.spec.httpRequests?.[0]?.methods).to.deep.equal(['PATCH']);
  });
});
