import { expect } from 'chai';
import { readFieldsFingerprint, unchangedReadFields } from '../../../src/operator/core/predicates.js';

describe('predicates: only changes the operator reads are enqueued', () => {
  it('skips an update whose read fields are the same, in any key order', () => {
    const before = readFieldsFingerprint({ ips: ['10.0.0.1'], node: 'a' });
    expect(unchangedReadFields(before, readFieldsFingerprint({ node: 'a', ips: ['10.0.0.1'] }))).to.equal('unchanged-read-fields');
  });

  it('passes a change, and anything without a previous fingerprint', () => {
    const before = readFieldsFingerprint({ ips: ['10.0.0.1'] });
    expect(unchangedReadFields(before, readFieldsFingerprint({ ips: ['10.0.0.2'] }))).to.equal(undefined);
    expect(unchangedReadFields(undefined, before)).to.equal(undefined);
  });
});
