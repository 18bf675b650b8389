import { expect } from 'chai';
import { ObservationBuffer } from '../../../src/sniffer/core/observation-buffer.js';
import type { ObservedConnection, ObservedDnsAnswer } from '../../../src/sniffer/core/observed.js';

const t0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const windowMs = 10_000;
const conn = (seenAt: number, over: Partial<ObservedConnection> = {}): ObservedConnection => ({
  clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, source: 'SYN', seenAt, ...over,
});
const dns = (seenAt: number, over: Partial<ObservedDnsAnswer> = {}): ObservedDnsAnswer => ({
  clientIP: '10.244.0.5', name: 'api.stripe.com', ips: ['203.0.113.5'], ttlSeconds: 30, seenAt, ...over,
});

/** What was written, and how many windows have passed (the clock of the next run). */
interface Written { windows: number; connections: number; dnsAnswers: number; evictions: number; elapsed: number }

/** Runs `windows` windows, feeding each through `feed`, and drains every batch as if written. */
function run(buffer: ObservationBuffer, windows: number, feed: (b: ObservationBuffer, start: number, w: number) => void, written: Written): void {
  for (let w = 0; w < windows; w++) {
    const start = t0 + (written.elapsed + w) * windowMs;
    feed(buffer, start, w);
    buffer.closeWindow(start + windowMs);
    for (let batch = buffer.nextBatch(); batch; batch = buffer.nextBatch()) {
      written.windows++;
      for (const part of [...batch.parts]) {
        written.connections += part.spec.connections.length;
        written.dnsAnswers += part.spec.dnsAnswers.length;
        buffer.partWritten();
      }
    }
  }
  written.elapsed += windows;
}

function buffer(rereportMs: number, maxRecords = 10_000, written?: Written, firstGapMs?: number): ObservationBuffer {
  return new ObservationBuffer({ nodeName: 'node-a', maxBytes: 10_000_000, startMs: t0, rereport: { intervalMs: rereportMs, maxRecords, firstGapMs, onEvict: (n) => written && (written.evictions += n) } });
}

const fresh = (): Written => ({ windows: 0, connections: 0, dnsAnswers: 0, evictions: 0, elapsed: 0 });

describe('re-reporting: a record already reported is not sent again every window', () => {
  it('sends a steady connection and DNS answer once per REREPORT interval, after a ramp of short gaps', () => {
    const written = fresh();
    // 120 windows of 10 s = 20 minutes with a 5 minute interval. Windows close at 10 s, 20 s, ...:
    // sent at 10 s, then after gaps of 10, 20, 40, 80, 160 s (at 20, 40, 80, 160, 320 s), then
    // every 300 s (620, 920 s): 8 reports, where every window would be 120.
    run(buffer(300_000), 120, (b, start) => {
      b.connection(conn(start + 1000));
      b.dnsAnswer(dns(start + 2000));
    }, written);
    expect(written.connections).to.equal(8);
    expect(written.dnsAnswers).to.equal(8);
    expect(written.windows).to.equal(8);
  });

  it('sends a new record again within seconds, so a first report the operator could not resolve is retried soon', () => {
    const written = fresh();
    run(buffer(300_000), 2, (b, start) => b.connection(conn(start + 1000)), written);
    // The first report and, one 10 s gap later, the second: not five minutes later.
    expect(written.connections).to.equal(2);
  });

  it('sends every window when re-reporting is off (REREPORT_SECONDS=0)', () => {
    const written = fresh();
    run(buffer(0), 60, (b, start) => b.connection(conn(start + 1000)), written);
    expect(written.connections).to.equal(60);
  });

  it('sends at once what is new about a known record: another source, another answer IP', () => {
    const written = fresh();
    // No ramp here (first gap = the interval): only what is new may be sent again.
    run(buffer(300_000, 10_000, undefined, 300_000), 3, (b, start, w) => {
      b.connection(conn(start + 1000, w === 1 ? { source: 'SocketScan' } : {}));
      b.dnsAnswer(dns(start + 2000, w === 2 ? { ips: ['203.0.113.9'] } : {}));
    }, written);
    expect(written.connections).to.equal(2);
    expect(written.dnsAnswers).to.equal(2);
  });

  it('remembers at most maxRecords records, evicting the oldest first and counting evictions', () => {
    const written = fresh();
    const b = buffer(86_400_000, 100, written);
    // 1,000 distinct short-lived clients, one window each.
    run(b, 1000, (buf, start, w) => buf.connection(conn(start + 1000, { clientIP: `10.245.${Math.floor(w / 250)}.${(w % 250) + 1}` })), written);
    expect(written.connections).to.equal(1000);
    expect(b.rememberedRecords).to.be.at.most(100);
    expect(written.evictions).to.equal(900);
    // An evicted record is only sent again (once), never lost.
    run(b, 1, (buf, start) => buf.connection(conn(start + 1000, { clientIP: '10.245.0.1' })), written);
    expect(written.connections).to.equal(1001);
  });

  it('forgets records not reported for two intervals (aged, not only bounded)', () => {
    const written = fresh();
    const b = buffer(60_000, 10_000, written);
    run(b, 5, (buf, start, w) => buf.connection(conn(start + 1000, { clientIP: `10.245.0.${w + 1}` })), written);
    expect(b.rememberedRecords).to.equal(5);
    run(b, 7, () => undefined, written);
    expect(b.rememberedRecords).to.be.greaterThan(0);
    run(b, 6, () => undefined, written);
    expect(b.rememberedRecords).to.equal(0);
    expect(written.evictions).to.equal(0);
  });
});
