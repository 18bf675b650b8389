import { expect } from 'chai';
import type { FlowResult } from '../../support/local-cluster/zero-trust-check.js';
import { verdictLines } from '../../support/local-cluster/zero-trust-verdict.js';

describe('the zero-trust verdict\'s lines', () => {
  const flow = (podPrefix: string, succeeded: number, failures: Record<string, number>, firstCallsRefused = 0): FlowResult => {
    const failed = Object.values(failures).reduce((n, k) => n + k, 0);
    return { namespace: 'billing', podPrefix, url: 'http://payments:8080/report', count: { url: 'http://payments:8080/report', succeeded, failed, failures }, firstCallsRefused, kept: succeeded > 0 && failed === firstCallsRefused };
  };

  it('counts a flow whose only failures are new pods\' first calls as kept, and says so on a line of its own', () => {
    expect(verdictLines({ seconds: 120, unmapped: [], flows: [flow('nightly-report-', 2, { ECONNREFUSED: 2 }, 2), flow('checkout-', 60, {})] })).to.deep.equal([
      'Under enforcement for 120 s: flows kept 2/2, unmapped calls blocked 0/0.',
      '  first calls of new pods refused before the enforcer admitted them, then answered on a retry: 2 (billing/nightly-report-* -> http://payments:8080/report x2)',
    ]);
  });

  it('lists a flow that never recovers as broken', () => {
    expect(verdictLines({ seconds: 120, unmapped: [], flows: [flow('nightly-report-', 0, { ECONNREFUSED: 6 })] })).to.deep.equal([
      'Under enforcement for 120 s: flows kept 0/1, unmapped calls blocked 0/0.',
      '  broken: billing/nightly-report-* -> http://payments:8080/report (0 answered, 6 failed: ECONNREFUSED x6)',
    ]);
  });
});
