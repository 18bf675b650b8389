import { expect } from 'chai';
import { callSucceeded, countFlows, firstCallsRefused } from '../../support/local-cluster/flow-counts.js';

describe('demo flow counts from the demo app\'s log', () => {
  const log = [
    '2026-12-07T05:00:00.000Z web-1 listening on 8080',
    '2026-12-07T05:00:01.000Z web-1 http://api:8080/ -> 200',
    '2026-12-07T05:00:02.000Z web-1 http://api:8080/ -> ECONNREFUSED',
    '2026-12-07T05:00:03.000Z web-1 tcp://db:5432 -> closed',
    '2026-12-07T05:00:04.000Z web-1 tcp://db:5432 -> timeout',
    '2026-12-07T05:00:05.000Z web-1 tcp://db:5432 -> timeout',
    '2026-12-07T05:00:09.000Z web-1 http://api:8080/ -> 200',
    'not a log line -> 200',
  ].join('\n');

  it('counts successes and failures per URL within the window, failures by result', () => {
    expect(countFlows(log, Date.parse('2026-12-07T05:00:01Z'), Date.parse('2026-12-07T05:00:09Z'))).to.deep.equal([
      { url: 'http://api:8080/', succeeded: 1, failed: 1, failures: { ECONNREFUSED: 1 } },
      { url: 'tcp://db:5432', succeeded: 1, failed: 2, failures: { timeout: 2 } },
    ]);
  });

  it('takes an HTTP status (any) and a TCP server\'s close as answered, errors as failed', () => {
    expect(['200', '403', 'closed', 'ECONNRESET', 'timeout', 'EHOSTUNREACH'].map(callSucceeded)).to.deep.equal([true, true, true, false, false, false]);
  });

  describe('first calls of a pod started under enforcement, refused and then answered on a retry', () => {
    const at = (second: number): string => `2026-12-07T05:01:${String(second).padStart(2, '0')}.000Z`;
    const job = (...results: string[]): string => results.map((r, i) => `${at(i * 2)} report-1 http://payments:8080/ -> ${r}`).join('\n');
    const from = Date.parse(at(0));
    const to = Date.parse(at(59));

    it('counts the refusals before the first answer of a pod whose first call is in the window', () => {
      expect(firstCallsRefused(job('ECONNREFUSED', 'ECONNREFUSED', '200'), 'http://payments:8080/', from, to)).to.equal(2);
      expect(firstCallsRefused(job('200', '200'), 'http://payments:8080/', from, to)).to.equal(0);
    });

    it('counts none for a pod that never gets through, or fails again after getting through', () => {
      expect(firstCallsRefused(job('ECONNREFUSED', 'ECONNREFUSED'), 'http://payments:8080/', from, to)).to.equal(0);
      expect(firstCallsRefused(job('ECONNREFUSED', '200', 'timeout'), 'http://payments:8080/', from, to)).to.equal(0);
    });

    it('counts a refusal in the window whose retry was answered just after it', () => {
      expect(firstCallsRefused(job('ECONNREFUSED', 'ECONNREFUSED', '200'), 'http://payments:8080/', from, Date.parse(at(3)))).to.equal(2);
    });

    it('counts none for a pod that was already calling before the window (not new under enforcement)', () => {
      expect(firstCallsRefused(job('ECONNREFUSED', '200'), 'http://payments:8080/', Date.parse(at(1)), to)).to.equal(0);
    });

    it('counts only the URL asked for', () => {
      expect(firstCallsRefused(job('ECONNREFUSED', '200'), 'http://other/', from, to)).to.equal(0);
    });
  });
});
