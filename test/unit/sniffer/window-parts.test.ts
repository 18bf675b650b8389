import { expect } from 'chai';
import { maxDnsNameLength, maxIpLength, observationBounds } from '../../../src/crds/bounds.js';
import { networkObservationSpec } from '../../../src/crds/network-observation.js';
import { ObservationWindow } from '../../../src/sniffer/core/observation-window.js';
import { defaultMaxPartBytes, splitWindow } from '../../../src/sniffer/core/window-parts.js';

const t0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const longNode = `${'n'.repeat(63)}.${'o'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(61)}`;
const longName = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

/** The longest textual IPv6 address the schema accepts, made unique by `i`. */
function longIp(i: number): string {
  const hex = (i & 0xffff).toString(16).padStart(4, '0');
  return `ffff:ffff:ffff:ffff:ffff:${hex}:${100 + ((i >> 16) % 156)}.255.255.255`;
}

describe('splitWindow', () => {
  it('keeps worst-case parts within the bounds, the schema and the byte budget', () => {
    expect(longIp(1)).to.have.length(maxIpLength);
    expect(longName).to.have.length(maxDnsNameLength);
    const window = new ObservationWindow(t0, t0 + 10_000);
    const dnsCount = observationBounds.dnsAnswersPerObject * 3 + 7;
    const connectionCount = observationBounds.connectionsPerObject * 3 + 11;
    for (let i = 0; i < dnsCount; i++) {
      // 40 addresses: more than one record may hold, so each answer becomes three records.
      const ips = Array.from({ length: 40 }, (_, j) => longIp(i * 40 + j));
      window.addDns({ clientIP: longIp(1_000_000 + i), name: longName, ips, ttlSeconds: 2147483647, seenAt: t0 + i });
    }
    for (let i = 0; i < connectionCount; i++) {
      window.addConnection({ clientIP: longIp(2_000_000 + i), serverIP: longIp(3_000_000 + i), serverPort: 65535, source: 'SocketScan', seenAt: t0 + i });
      window.addConnection({ clientIP: longIp(2_000_000 + i), serverIP: longIp(3_000_000 + i), serverPort: 65535, source: 'SYN', seenAt: t0 + i });
    }
    const parts = splitWindow(window, longNode);
    let dnsRecords = 0;
    let dnsEvents = 0;
    let connections = 0;
    let connectionEvents = 0;
    for (const part of parts) {
      const parsed = networkObservationSpec.safeParse(part.spec);
      expect(parsed.success, parsed.error?.message).to.equal(true);
      const json = JSON.stringify(part.spec).length;
      expect(json).to.be.at.most(defaultMaxPartBytes + 1024);
      expect(part.name.length).to.be.at.most(maxDnsNameLength);
      dnsRecords += part.spec.dnsAnswers.length;
      connections += part.spec.connections.length;
      dnsEvents += part.events.dnsAnswer;
      connectionEvents += part.events.connection;
    }
    expect(dnsRecords).to.equal(dnsCount * 3);
    expect(connections).to.equal(connectionCount);
    expect([dnsEvents, connectionEvents]).to.deep.equal([dnsCount, connectionCount * 2]);
    expect(new Set(parts.map((p) => p.name)).size).to.equal(parts.length);
  });

  it('fills parts up to the record bounds when records are small', () => {
    const window = new ObservationWindow(t0, t0 + 10_000);
    const n = observationBounds.connectionsPerObject + 1;
    for (let i = 0; i < n; i++) window.addConnection({ clientIP: '10.0.0.1', serverIP: '10.0.1.1', serverPort: i + 1, source: 'SYN', seenAt: t0 });
    const parts = splitWindow(window, 'node-a');
    expect(parts.map((p) => p.spec.connections.length)).to.deep.equal([observationBounds.connectionsPerObject, 1]);
  });

  it('splits the same window the same way every time', () => {
    const fill = (order: number[]): ObservationWindow => {
      const window = new ObservationWindow(t0, t0 + 10_000);
      for (const i of order) window.addDns({ clientIP: `10.0.0.${i}`, name: `n${i}.example.com`, ips: ['192.0.2.1'], ttlSeconds: 1, seenAt: t0 });
      return window;
    };
    const a = splitWindow(fill([1, 2, 3, 4]), 'node-a', { maxPartBytes: 300 });
    const b = splitWindow(fill([4, 3, 1, 2]), 'node-a', { maxPartBytes: 300 });
    expect(a.length).to.be.greaterThan(1);
    expect(b).to.deep.equal(a);
  });
});
