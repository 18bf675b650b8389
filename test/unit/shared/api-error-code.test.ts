import { expect } from 'chai';
import { apiErrorCode, causeCode, httpStatus } from '../../../src/shared/api-error-code.js';
import { errorFields } from '../../../src/shared/logger.js';

/** Errors shaped as fetch (undici) and client-node raise them: a message, a numeric HTTP code or a cause chain. */
function fetchFailed(cause: Error & { code?: string }): Error {
  return new TypeError('fetch failed', { cause });
}
function systemError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

describe('apiErrorCode', () => {
  it('is the HTTP status when the API server answered', () => {
    const apiException = Object.assign(new Error('HTTP-Code: 403'), { code: 403, body: '{}' });
    expect(apiErrorCode(apiException)).to.equal('403');
    expect(apiErrorCode(Object.assign(new Error('conflict'), { code: 409 }))).to.equal('409');
    expect(httpStatus(apiException)).to.equal(403);
  });

  it('is network for a refused or reset connection, and names the cause', () => {
    const reset = fetchFailed(systemError('ECONNRESET', 'read ECONNRESET'));
    expect(apiErrorCode(reset)).to.equal('network');
    expect(causeCode(reset)).to.equal('ECONNRESET');
    expect(apiErrorCode(fetchFailed(systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')))).to.equal('network');
    expect(apiErrorCode(new Error('socket hang up'))).to.equal('network');
  });

  it('is timeout for undici, system and abort timeouts anywhere in the chain', () => {
    expect(apiErrorCode(fetchFailed(systemError('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error')))).to.equal('timeout');
    expect(apiErrorCode(fetchFailed(systemError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error')))).to.equal('timeout');
    expect(apiErrorCode(fetchFailed(systemError('ETIMEDOUT', 'connect ETIMEDOUT')))).to.equal('timeout');
    expect(apiErrorCode(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }))).to.equal('timeout');
  });

  it('does not take a string code for an HTTP status, and survives a cyclic cause chain', () => {
    const cyclic: Error & { cause?: unknown } = new Error('loop');
    cyclic.cause = cyclic;
    expect(apiErrorCode(cyclic)).to.equal('network');
    expect(httpStatus(systemError('ECONNRESET', 'x'))).to.equal(undefined);
  });
});

describe('errorFields: the cause of a network failure', () => {
  it('says what is behind "fetch failed"', () => {
    expect(errorFields(fetchFailed(systemError('ECONNRESET', 'read ECONNRESET')))).to.deep.equal({ error: 'fetch failed', cause: 'read ECONNRESET' });
    const wrapped = fetchFailed(Object.assign(new Error('other side closed', { cause: systemError('UND_ERR_SOCKET', 'other side closed') })));
    expect(errorFields(wrapped)).to.deep.equal({ error: 'fetch failed', cause: 'UND_ERR_SOCKET: other side closed' });
  });
});
