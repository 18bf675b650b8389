import { expect } from 'chai';
import { errorFields } from '../../../src/shared/logger.js';

describe('errorFields', () => {
  it('keeps code, reason and message of an API error and drops its headers', () => {
    const apiError = Object.assign(new Error('HTTP-Code: 409\nMessage: ...\nHeaders: {"authorization":"secret"}'), {
      code: 409,
      body: JSON.stringify({ kind: 'Status', reason: 'AlreadyExists', message: 'x "a" already exists' }),
      headers: { authorization: 'secret' },
    });
    const fields = errorFields(apiError);
    expect(fields).to.deep.equal({ error: 'x "a" already exists', code: 409, reason: 'AlreadyExists' });
    expect(JSON.stringify(fields)).not.to.contain('secret');
  });

  it('takes the first line of a plain error', () => {
    expect(errorFields(new Error('boom\nstack'))).to.deep.equal({ error: 'boom' });
    expect(errorFields('text')).to.deep.equal({ error: 'text' });
  });
});
