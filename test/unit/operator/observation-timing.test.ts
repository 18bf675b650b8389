import { expect } from 'chai';
import { deleteAt, readObservation, settleAt } from '../../../src/operator/core/observation-timing.js';
import { isNewerResourceVersion } from '../../../src/operator/core/resource-version.js';

const t = (iso: string): number => Date.parse(iso);
const window = { nodeName: 'node-a', windowStart: '2026-12-07T10:00:00.000Z', windowEnd: '2026-12-07T10:00:10.000Z', dnsAnswers: [], connections: [] };

describe('observation timing and validity (what the observation reconciler decides)', () => {
  it('reads a valid spec, and says why an invalid one is Invalid', () => {
    expect(readObservation(window).spec?.nodeName).to.equal('node-a');
    expect(readObservation({ ...window, windowEnd: '2026-12-07T09:59:00.000Z' }).problem).to.equal('invalid NetworkObservation: windowEnd is before windowStart');
    const record = { clientIP: '10.0.0.1', serverIP: '10.0.0.2', serverPort: 80, protocol: 'TCP', sources: ['SYN'], firstSeen: '2026-12-07T10:00:05.000Z', lastSeen: '2026-12-07T10:00:01.000Z', count: 1 };
    expect(readObservation({ ...window, connections: [record] }).problem).to.equal('invalid NetworkObservation: record 0: lastSeen is before firstSeen');
    expect(readObservation({ nodeName: 'node-a' }).problem).to.match(/^invalid NetworkObservation: window/);
  });

  it('settles a window settleMs after it ends, or after the object was created when that is earlier', () => {
    expect(settleAt(window.windowEnd, t('2026-12-07T10:00:11.000Z'), 2000)).to.equal(t('2026-12-07T10:00:12.000Z'));
    // A sniffer whose clock runs ahead: its window "ends" in the future, the API server's creation time bounds it.
    expect(settleAt('2026-12-07T11:00:00.000Z', t('2026-12-07T10:00:11.000Z'), 2000)).to.equal(t('2026-12-07T10:00:13.000Z'));
  });

  it('deletes a marked observation retentionMs after its mark, and counts from now when the mark cannot be read', () => {
    expect(deleteAt('2026-12-07T10:00:00.000Z', t('2026-12-07T12:00:00.000Z'), 60_000)).to.equal(t('2026-12-07T10:01:00.000Z'));
    expect(deleteAt(undefined, 5_000, 0)).to.equal(5_000);
    expect(deleteAt('garbage', 5_000, 100)).to.equal(5_100);
  });

  it('compares resourceVersions as integers when they are, and takes nothing else as newer', () => {
    expect(isNewerResourceVersion('10', '9')).to.equal(true);
    expect(isNewerResourceVersion('99999999999999999999', '99999999999999999998')).to.equal(true);
    expect(isNewerResourceVersion('9', '10')).to.equal(false);
    expect(isNewerResourceVersion('abc', '1')).to.equal(false);
    expect(isNewerResourceVersion(undefined, '1')).to.equal(false);
  });
});
