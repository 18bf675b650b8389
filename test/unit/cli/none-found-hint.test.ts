import { expect } from 'chai';
import { noneFoundHint } from '../../../src/cli/core/none-found-hint.js';

describe('cli hint for an empty result', () => {
  it('says where it looked and what to try', () => {
    expect(noneFoundHint({ namespaces: [], includeUserManaged: false, excludeServices: [], excludeLabels: [] })).to.equal(
      'No ClientIntents managed by network-mapper found. Is network-mapper running, and has it seen traffic yet? Add --all to include ClientIntents written by others.',
    );
    expect(noneFoundHint({ namespaces: ['a', 'b'], server: { name: 'db', namespace: 'data' }, includeUserManaged: true, excludeServices: [], excludeLabels: [] })).to.equal(
      'No ClientIntents found in namespaces a, b calling db.data. Is network-mapper running, and has it seen traffic yet?',
    );
  });
});
