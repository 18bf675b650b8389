import { expect } from 'chai';
import { networkObservationSpec } from '../../../src/crds/network-observation.js';
import { ObservationBuffer, type DropReason, type RecordKind } from '../../../src/sniffer/core/observation-buffer.js';
import type { ObservedConnection, ObservedDnsAnswer } from '../../../src/sniffer/core/observed.js';

const t0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const dns = (over: Partial<ObservedDnsAnswer> = {}): ObservedDnsAnswer => ({
  clientIP: '10.244.0.5', name: 'cart.shop.svc.cluster.local', ips: ['10.96.0.10'], ttlSeconds: 30, seenAt: t0 + 1000, ...over,
});
const conn = (over: Partial<ObservedConnection> = {}): ObservedConnection => ({
  clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, source: 'SYN', seenAt: t0 + 1000, ...over,
});

function buffer(maxBytes = 10_000_000, drops: [RecordKind, DropReason, number][] = []): ObservationBuffer {
  return new ObservationBuffer({ nodeName: 'node-a', maxBytes, startMs: t0, onDrop: (k, r, n) => drops.push([k, r, n]) });
}

describe('ObservationBuffer', () => {
  it('deduplicates DNS answers by client and name: union of IPs, max TTL, first/last seen, count', () => {
    const b = buffer();
    b.dnsAnswer(dns({ ips: ['10.96.0.10'], ttlSeconds: 30, seenAt: t0 + 3000 }));
    b.dnsAnswer(dns({ ips: ['10.96.0.11', '10.96.0.10'], ttlSeconds: 5, seenAt: t0 + 1000 }));
    b.dnsAnswer(dns({ ips: ['fd00:10:96::a'], ttlSeconds: 60, seenAt: t0 + 2000 }));
    b.dnsAnswer(dns({ clientIP: '10.244.0.6' }));
    b.closeWindow(t0 + 10_000);
    const [part, ...rest] = b.nextBatch()!.parts;
    expect(rest).to.have.length(0);
    expect(part!.name).to.equal('node-a-20261126t030000000z-p0');
    expect(part!.spec).to.deep.equal({
      nodeName: 'node-a',
      windowStart: '2026-11-26T03:00:00.000Z',
      windowEnd: '2026-11-26T03:00:10.000Z',
      connections: [],
      dnsAnswers: [
        { clientIP: '10.244.0.5', name: 'cart.shop.svc.cluster.local', ips: ['10.96.0.10', '10.96.0.11', 'fd00:10:96::a'], ttlSeconds: 60, firstSeen: '2026-11-26T03:00:01.000Z', lastSeen: '2026-11-26T03:00:03.000Z', count: 3 },
        { clientIP: '10.244.0.6', name: 'cart.shop.svc.cluster.local', ips: ['10.96.0.10'], ttlSeconds: 30, firstSeen: '2026-11-26T03:00:01.000Z', lastSeen: '2026-11-26T03:00:01.000Z', count: 1 },
      ],
    });
    expect(part!.events).to.deep.equal({ dnsAnswer: 4, connection: 0, httpRequest: 0 });
  });

  it('deduplicates connections by client, server and port: union of sources, first/last seen, count', () => {
    const b = buffer();
    b.connection(conn({ source: 'SocketScan', seenAt: t0 + 5000 }));
    b.connection(conn({ source: 'SYN', seenAt: t0 + 2000 }));
    b.connection(conn({ source: 'SYN', seenAt: t0 + 4000 }));
    b.connection(conn({ serverPort: 443 }));
    b.connection(conn({ serverIP: 'fd00:10:96::a' }));
    b.closeWindow(t0 + 10_000);
    const spec = b.nextBatch()!.parts[0]!.spec;
    expect(spec.connections).to.have.length(3);
    expect(spec.connections.find((c) => c.serverPort === 8080 && c.serverIP === '10.96.0.10')).to.deep.equal({
      clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, protocol: 'TCP', sources: ['SYN', 'SocketScan'],
      firstSeen: '2026-11-26T03:00:02.000Z', lastSeen: '2026-11-26T03:00:05.000Z', count: 3,
    });
    expect(networkObservationSpec.safeParse(spec).success).to.equal(true);
  });

  it('writes nothing for empty windows', () => {
    const b = buffer();
    b.closeWindow(t0 + 10_000);
    expect(b.nextBatch()).to.equal(undefined);
    expect(b.hasUnsent).to.equal(false);
  });

  it('merges windows that close while a batch is unwritten into one pending window', () => {
    const b = buffer();
    b.connection(conn());
    b.closeWindow(t0 + 10_000);
    const first = b.nextBatch()!;
    // The batch is not written (API server down) while three more windows close.
    for (let w = 1; w <= 3; w++) {
      b.connection(conn({ seenAt: t0 + w * 10_000 + 1 }));
      b.dnsAnswer(dns({ seenAt: t0 + w * 10_000 + 2, ips: [`10.96.0.${w}`] }));
      b.closeWindow(t0 + (w + 1) * 10_000);
    }
    expect(b.nextBatch()).to.equal(first, 'the unwritten batch keeps its parts and names');
    b.partWritten();
    const merged = b.nextBatch()!;
    expect(merged.parts).to.have.length(1);
    const spec = merged.parts[0]!.spec;
    expect(merged.parts[0]!.name).to.equal('node-a-20261126t030010000z-p0');
    expect(spec.windowStart).to.equal('2026-11-26T03:00:10.000Z');
    expect(spec.windowEnd).to.equal('2026-11-26T03:00:40.000Z');
    expect(spec.connections).to.have.length(1);
    expect(spec.connections[0]!.count).to.equal(3);
    expect(spec.connections[0]!.firstSeen).to.equal('2026-11-26T03:00:10.001Z');
    expect(spec.dnsAnswers[0]!.ips).to.deep.equal(['10.96.0.1', '10.96.0.2', '10.96.0.3']);
    expect(spec.dnsAnswers[0]!.count).to.equal(3);
    b.partWritten();
    expect(b.hasUnsent).to.equal(false);
    expect(b.bytes).to.equal(0);
  });

  it('keeps its memory estimate within the bound and counts every dropped event by kind', () => {
    const drops: [RecordKind, DropReason, number][] = [];
    const b = buffer(4_000, drops);
    let accepted = 0;
    for (let i = 0; i < 100; i++) {
      const before = b.drops.connection.memory;
      b.connection(conn({ serverPort: 1000 + i }));
      if (b.drops.connection.memory === before) accepted += 1;
      expect(b.bytes).to.be.at.most(4_000);
    }
    expect(accepted).to.be.greaterThan(0).and.lessThan(100);
    expect(b.drops.connection.memory).to.equal(100 - accepted);
    // Events for records already held only bump counters: they are never dropped.
    b.connection(conn({ serverPort: 1000 }));
    expect(b.drops.connection.memory).to.equal(100 - accepted);
    b.dnsAnswer(dns());
    expect(b.drops.dnsAnswer.memory).to.equal(1);
    expect(drops.filter(([k, r]) => k === 'connection' && r === 'memory').reduce((s, [, , n]) => s + n, 0)).to.equal(100 - accepted);
    b.closeWindow(t0 + 10_000);
    const part = b.nextBatch()!.parts[0]!;
    expect(part.spec.connections).to.have.length(accepted);
    expect(part.spec.connections[0]!.count).to.equal(2);
    expect(b.bytes).to.be.at.most(4_000);
  });

  it('counts invalid input from a capture as dropped and keeps everything else', () => {
    const b = buffer();
    b.dnsAnswer(dns({ clientIP: 'fe80::1%eth0' }));
    b.dnsAnswer(dns({ clientIP: '::ffff:10.0.0.1' }));
    b.dnsAnswer(dns({ name: 'Upper.Case.' }));
    b.dnsAnswer(dns({ ips: [] }));
    b.dnsAnswer(dns({ ips: ['10.0.0.1', 'nope'] }));
    b.dnsAnswer(dns({ seenAt: Number.NaN }));
    b.dnsAnswer(dns({ seenAt: 1e16 }));
    b.connection(conn({ serverPort: 0 }));
    b.connection(conn({ serverPort: 80.5 }));
    b.connection(conn({ source: 'eBPF' as 'SYN' }));
    b.connection(conn({ serverIP: '300.1.1.1' }));
    b.dnsAnswer(dns({ ttlSeconds: 2 ** 32 - 1 }));
    b.connection(conn());
    expect(b.drops.dnsAnswer.invalid).to.equal(7);
    expect(b.drops.connection.invalid).to.equal(4);
    b.closeWindow(t0 + 10_000);
    const spec = b.nextBatch()!.parts[0]!.spec;
    expect(spec.dnsAnswers).to.have.length(1);
    expect(spec.dnsAnswers[0]!.ttlSeconds).to.equal(0, 'RFC 2181: a TTL with the top bit set counts as zero');
    expect(spec.connections).to.have.length(1);
    expect(networkObservationSpec.safeParse(spec).success).to.equal(true);
  });

  it('drops a rejected part and whatever is left at shutdown, with exact event counts', () => {
    const drops: [RecordKind, DropReason, number][] = [];
    const b = buffer(10_000_000, drops);
    for (let i = 0; i < 3; i++) b.connection(conn());
    b.dnsAnswer(dns());
    b.closeWindow(t0 + 10_000);
    b.nextBatch();
    b.partRejected();
    expect(b.drops.connection.rejected).to.equal(3);
    expect(b.drops.dnsAnswer.rejected).to.equal(1);
    b.connection(conn());
    b.closeWindow(t0 + 20_000);
    b.nextBatch();
    b.connection(conn({ serverPort: 1 }));
    b.closeWindow(t0 + 30_000);
    b.dnsAnswer(dns());
    b.dnsAnswer(dns());
    b.discardAll('shutdown');
    expect(b.drops.connection.shutdown).to.equal(2);
    expect(b.drops.dnsAnswer.shutdown).to.equal(2);
    expect(b.hasUnsent).to.equal(false);
    expect(b.bytes).to.equal(0);
    expect(drops).to.deep.include(['connection', 'rejected', 3]);
  });

  it('splits a large window into parts that each pass the schema, and frees memory as parts are written', () => {
    const b = buffer(100_000_000);
    for (let i = 0; i < 5_000; i++) {
      b.connection(conn({ clientIP: `10.244.${i >> 8}.${i & 255}` }));
      if (i < 1_200) b.dnsAnswer(dns({ clientIP: `10.244.${i >> 8}.${i & 255}` }));
    }
    b.closeWindow(t0 + 10_000);
    const bytesBefore = b.bytes;
    const batch = b.nextBatch()!;
    expect(b.bytes).to.equal(bytesBefore);
    const parts = [...batch.parts];
    // 500 DNS answers per object, then 2,000 connections per object.
    expect(parts.map((p) => [p.spec.dnsAnswers.length, p.spec.connections.length])).to.deep.equal([[500, 0], [500, 0], [200, 2000], [0, 2000], [0, 1000]]);
    expect(parts.map((p) => p.name)).to.deep.equal([0, 1, 2, 3, 4].map((i) => `node-a-20261126t030000000z-p${i}`));
    let dnsRecords = 0;
    let connectionRecords = 0;
    for (const part of parts) {
      expect(networkObservationSpec.safeParse(part.spec).success).to.equal(true);
      dnsRecords += part.spec.dnsAnswers.length;
      connectionRecords += part.spec.connections.length;
    }
    expect([dnsRecords, connectionRecords]).to.deep.equal([1_200, 5_000]);
    expect(b.records).to.deep.equal({ dnsAnswer: 1_200, connection: 5_000, httpRequest: 0 });
    b.partWritten();
    expect(b.bytes).to.be.lessThan(bytesBefore);
    expect(b.nextBatch()!.parts).to.have.length(4);
    for (let i = 0; i < 4; i++) b.partWritten();
    expect(b.bytes).to.equal(0);
    expect(b.nextBatch()).to.equal(undefined);
  });
});
