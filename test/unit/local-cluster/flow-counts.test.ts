import { expect } from 'chai';
import { callSucceeded, countFlows } from '../../support/local-cluster/flow-counts.js';

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
});
