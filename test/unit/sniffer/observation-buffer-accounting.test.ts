import { expect } from 'chai';
import { networkObservationSpec } from '../../../src/crds/network-observation.js';
import { ObservationBuffer } from '../../../src/sniffer/core/observation-buffer.js';

/** A small deterministic generator, so a failure can be replayed from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const t0 = Date.UTC(2026, 10, 26, 3, 0, 0);

describe('ObservationBuffer accounting under random load', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`accounts for every event exactly and never exceeds its bound (seed ${seed})`, () => {
      const random = generator(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const maxBytes = 5_000 + Math.floor(random() * 60_000);
      const buffer = new ObservationBuffer({ nodeName: `node-${seed}`, maxBytes, startMs: t0, maxPartBytes: 2_000 + Math.floor(random() * 8_000) });
      const fed = { dnsAnswer: 0, connection: 0 };
      const written = { dnsAnswer: 0, connection: 0 };
      const ips = ['10.0.0.1', '10.0.0.2', 'fd00::1', 'fd00::2', '192.0.2.9', 'bad-ip', '::ffff:10.0.0.1'];
      const names = ['a.example.com', 'b.example.com', 'c.shop.svc.cluster.local', 'Bad.Name.', ''];
      let now = t0;

      for (let step = 0; step < 5_000; step++) {
        now += Math.floor(random() * 50);
        const action = random();
        if (action < 0.45) {
          fed.dnsAnswer += 1;
          const count = 1 + Math.floor(random() * 20);
          buffer.dnsAnswer({
            clientIP: pick(ips), name: pick(names), ips: Array.from({ length: count }, (_, i) => `10.1.${Math.floor(random() * 4)}.${i}`),
            ttlSeconds: pick([0, 30, 2 ** 32 - 1, -5, 1.5]), seenAt: pick([now, now, now, Number.NaN]),
          });
        } else if (action < 0.9) {
          fed.connection += 1;
          buffer.connection({
            clientIP: pick(ips), serverIP: pick(ips), serverPort: pick([80, 443, 8080, 0, 65536, 5432]),
            source: pick(['SYN', 'SocketScan'] as const), seenAt: now,
          });
        } else if (action < 0.95) {
          buffer.closeWindow(now);
        } else {
          const part = buffer.nextBatch()?.parts[0];
          if (part) {
            expect(networkObservationSpec.safeParse(part.spec).success).to.equal(true);
            if (random() < 0.9) {
              written.dnsAnswer += part.events.dnsAnswer;
              written.connection += part.events.connection;
              buffer.partWritten();
            } else {
              buffer.partRejected();
            }
          }
        }
        expect(buffer.bytes).to.be.at.most(maxBytes);
      }
      buffer.discardAll('shutdown');
      const drops = buffer.drops;
      for (const kind of ['dnsAnswer', 'connection'] as const) {
        const dropped = Object.values(drops[kind]).reduce((sum, n) => sum + n, 0);
        expect(written[kind] + dropped, kind).to.equal(fed[kind]);
      }
      expect(drops.dnsAnswer.invalid + drops.connection.invalid, 'invalid input was exercised').to.be.greaterThan(0);
      expect(drops.dnsAnswer.memory + drops.connection.memory, 'the bound was reached').to.be.greaterThan(0);
      expect(drops.dnsAnswer.rejected + drops.connection.rejected, 'rejected parts were exercised').to.be.greaterThan(0);
      expect(written.connection).to.be.greaterThan(0);
      expect(buffer.bytes).to.equal(0);
    });
  }
});
