import { expect } from 'chai';
import fc from 'fast-check';
import {
  httpSkipReasons, maxRequestLineBytes, maxRequestsPerSegment, parseRequestLines, requestMethods,
} from '../../../src/sniffer/core/http/request-line.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const parse = (text: string, complete = true) => {
  const payload = bytes(text);
  return parseRequestLines(payload, 0, payload.length, complete);
};

describe('HTTP request lines (sniffer core)', () => {
  it('reads method, target and version of every HTTP/1.x method', () => {
    for (const method of requestMethods) {
      const result = parse(`${method} /a/b?x=1 HTTP/1.1\r\nHost: s\r\n\r\n`);
      expect(result).to.deep.equal({ requests: [{ method, target: '/a/b?x=1', version: '1.1' }], skipped: [] });
    }
    expect(parse('GET / HTTP/1.0\n\n').requests).to.deep.equal([{ method: 'GET', target: '/', version: '1.0' }]);
  });

  it('reads pipelined requests, skipping headers and Content-Length bodies', () => {
    const body = 'x'.repeat(11);
    const result = parse(
      `POST /a HTTP/1.1\r\nHost: s\r\ncontent-LENGTH: 11\r\n\r\n${body}` +
        'GET /b HTTP/1.1\r\nHost: s\r\n\r\n' +
        'DELETE /c HTTP/1.1\r\n\r\n',
    );
    expect(result.requests.map((r) => `${r.method} ${r.target}`)).to.deep.equal(['POST /a', 'GET /b', 'DELETE /c']);
    expect(result.skipped).to.deep.equal([]);
  });

  it('stops quietly when headers or body run past the segment (keep-alive: the next request is its own segment)', () => {
    expect(parse('GET /a HTTP/1.1\r\nHost: s\r\nAccept: */').skipped).to.deep.equal([]);
    expect(parse('POST /a HTTP/1.1\r\nContent-Length: 100\r\n\r\nshort').skipped).to.deep.equal([]);
  });

  it('counts what follows a chunked body instead of guessing', () => {
    const result = parse('POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
    expect(result.requests.map((r) => r.target)).to.deep.equal(['/a']);
    expect(result.skipped).to.deep.equal(['pipeline-unknown-length']);
    expect(parse('POST /a HTTP/1.1\r\nContent-Length: 1x\r\n\r\nGET /b HTTP/1.1\r\n\r\n').skipped).to.deep.equal(['pipeline-unknown-length']);
  });

  it('tells a line split across segments from one cut by the snap length', () => {
    expect(parse('GET /very/long/path/that/conti').skipped).to.deep.equal(['line-split']);
    expect(parse('GET /very/long/path/that/conti', false).skipped).to.deep.equal(['line-too-long']);
    expect(parse(`GET /${'a'.repeat(maxRequestLineBytes)} HTTP/1.1\r\n\r\n`).skipped).to.deep.equal(['line-too-long']);
    expect(parse('GET /a HTTP/1.1\r\n\r\nGET /b', true).skipped).to.deep.equal(['line-split']);
  });

  it('recognises TLS and HTTP/2 without parsing them', () => {
    expect(parse('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03').skipped).to.deep.equal(['tls']);
    expect(parse('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n').skipped).to.deep.equal(['http2']);
  });

  it('refuses bad methods, targets and versions with a reason', () => {
    expect(parse('GETX / HTTP/1.1\r\n').skipped).to.deep.equal(['bad-method']);
    expect(parse('get / HTTP/1.1\r\n').skipped).to.deep.equal(['bad-method']);
    expect(parse('GET  HTTP/1.1\r\n').skipped).to.deep.equal(['bad-target']);
    expect(parse('GET /caf\xe9 HTTP/1.1\r\n').skipped).to.deep.equal(['bad-target']);
    expect(parse('GET / HTTP/2.0\r\n').skipped).to.deep.equal(['bad-version']);
    expect(parse('GET /\r\n').skipped).to.deep.equal(['bad-version']);
    expect(parse('GET / HTTP/1.1 extra\r\n').skipped).to.deep.equal(['bad-version']);
  });

  it('bounds the requests read from one segment', () => {
    const result = parse('GET /x HTTP/1.1\r\n\r\n'.repeat(maxRequestsPerSegment + 3));
    expect(result.requests).to.have.length(maxRequestsPerSegment);
    expect(result.skipped).to.deep.equal(['pipeline-too-many']);
  });

  it('never throws on random or truncated payloads, and every rejection has a known reason (fuzz)', () => {
    const requestText = fc
      .tuple(
        fc.constantFrom(...requestMethods, 'PRI', 'GE', 'FOO'),
        fc.string({ maxLength: 60 }),
        fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', ''),
        fc.array(fc.tuple(fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'X'), fc.string({ maxLength: 12 })), { maxLength: 4 }),
        fc.string({ maxLength: 30 }),
      )
      .map(([m, t, v, h, body]) => `${m} ${t} ${v}\r\n${h.map(([k, x]) => `${k}: ${x}\r\n`).join('')}\r\n${body}`);
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(requestText, { minLength: 1, maxLength: 4 }).map((parts) => bytes(parts.join(''))),
    );
    fc.assert(
      fc.property(payload, fc.nat(), fc.boolean(), (input, cutAt, complete) => {
        const end = input.length === 0 ? 0 : cutAt % (input.length + 1);
        const result = parseRequestLines(input, 0, end, complete);
        for (const reason of result.skipped) expect(httpSkipReasons).to.include(reason);
        for (const request of result.requests) {
          expect(requestMethods).to.include(request.method);
          expect(request.target).to.match(/^[\x21-\x7e]+$/);
        }
        expect(result.requests.length).to.be.at.most(maxRequestsPerSegment);
        // Nothing read past `end`: the same bytes with garbage beyond give the same answer.
        const extended = new Uint8Array(end + 16).fill(0x41);
        extended.set(input.subarray(0, end));
        expect(parseRequestLines(extended, 0, end, complete)).to.deep.equal(result);
      }),
      { numRuns: 20_000, seed: 19 },
    );
  });
});
