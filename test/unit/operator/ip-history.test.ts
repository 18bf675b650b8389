import { expect } from 'chai';
import { IpHistory } from '../../../src/operator/core/ip-history.js';
import { minute, t0 } from './fixtures.js';

const a = { namespace: 'ns', name: 'a', kind: 'Deployment' };
const b = { namespace: 'ns', name: 'b', kind: 'Deployment' };

describe('IpHistory', () => {
  it('names the pod that held the IP at the time, not a later pod that reused it', () => {
    const h = new IpHistory(10 * minute);
    h.set('ns/a-1', ['10.0.0.5'], { identity: a, hostNetwork: false, start: t0, end: undefined }, t0);
    h.end('ns/a-1', t0 + 5 * minute);
    h.set('ns/b-1', ['10.0.0.5'], { identity: b, hostNetwork: false, start: t0 + 6 * minute, end: undefined }, t0 + 6 * minute);
    const before = h.holder('10.0.0.5', t0 + minute, t0 + 2 * minute);
    const after = h.holder('10.0.0.5', t0 + 7 * minute, t0 + 7 * minute);
    expect(before.kind === 'pod' && before.tenure.identity).to.deep.equal(a);
    expect(after.kind === 'pod' && after.tenure.identity).to.deep.equal(b);
  });

  it('refuses traffic spanning both tenures, and traffic before any pod started', () => {
    const h = new IpHistory(10 * minute);
    h.set('ns/a-1', ['10.0.0.5'], { identity: a, hostNetwork: false, start: t0, end: t0 + 5 * minute }, t0);
    h.set('ns/b-1', ['10.0.0.5'], { identity: b, hostNetwork: false, start: t0 + 6 * minute, end: undefined }, t0);
    expect(h.holder('10.0.0.5', t0 + 4 * minute, t0 + 7 * minute).kind).to.equal('ambiguous');
    expect(h.holder('10.0.0.5', t0 - minute, t0 - 1).kind).to.equal('not-at-time');
    expect(h.holder('10.0.0.5', t0 + 5.5 * minute, t0 + 5.5 * minute).kind).to.equal('not-at-time');
    expect(h.holder('10.9.9.9', t0, t0).kind).to.equal('unknown');
  });

  it('never names a hostNetwork pod', () => {
    const h = new IpHistory(10 * minute);
    h.set('ns/agent', ['192.168.1.10'], { identity: a, hostNetwork: true, start: t0, end: undefined }, t0);
    expect(h.holder('192.168.1.10', t0 + 1, t0 + 2).kind).to.equal('host-network');
  });

  it('ends IPs a pod no longer has, and prunes ended tenures after the retention', () => {
    const h = new IpHistory(10 * minute);
    h.set('ns/a-1', ['10.0.0.5', 'fd00::5'], { identity: a, hostNetwork: false, start: t0, end: undefined }, t0);
    h.set('ns/a-1', ['fd00::5'], { identity: a, hostNetwork: false, start: t0, end: undefined }, t0 + minute);
    expect(h.holder('10.0.0.5', t0 + 2 * minute, t0 + 2 * minute).kind).to.equal('not-at-time');
    expect(h.holder('10.0.0.5', t0 + 30_000, t0 + 30_000).kind).to.equal('pod');
    h.prune(t0 + 20 * minute);
    expect(h.holder('10.0.0.5', t0 + 30_000, t0 + 30_000).kind).to.equal('unknown');
    expect(h.holder('fd00::5', t0 + 30 * minute, t0 + 30 * minute).kind).to.equal('pod');
  });

  it('still names a pod for traffic stamped just after it ended, within the slack', () => {
    const h = new IpHistory(10 * minute, 3000);
    h.set('ns/job-1', ['10.0.0.7'], { identity: a, hostNetwork: false, start: t0, end: t0 + 1000 }, t0);
    const late = h.holder('10.0.0.7', t0 + 2500, t0 + 3500);
    expect(late.kind === 'pod' && late.tenure.identity).to.deep.equal(a);
    expect(h.holder('10.0.0.7', t0 + 4500, t0 + 5000).kind).to.equal('not-at-time');
  });

  it('ends the slack where the next pod on the IP starts', () => {
    const h = new IpHistory(10 * minute, 3000);
    h.set('ns/job-1', ['10.0.0.7'], { identity: a, hostNetwork: false, start: t0, end: t0 + 1000 }, t0);
    h.set('ns/b-1', ['10.0.0.7'], { identity: b, hostNetwork: false, start: t0 + 2000, end: undefined }, t0 + 2000);
    const beforeNext = h.holder('10.0.0.7', t0 + 1500, t0 + 1800);
    expect(beforeNext.kind === 'pod' && beforeNext.tenure.identity).to.deep.equal(a);
    const afterNext = h.holder('10.0.0.7', t0 + 2500, t0 + 2600);
    expect(afterNext.kind === 'pod' && afterNext.tenure.identity).to.deep.equal(b);
    expect(h.holder('10.0.0.7', t0 + 1500, t0 + 2500).kind).to.equal('ambiguous');
  });
});
