import { observedHttpMethods } from '../../../crds/network-observation.js';

/**
 * The request lines of plaintext HTTP/1.x requests at the start of a TCP payload. Bytes in,
 * plain data out, nothing thrown. Only the request line is read (and, to find a pipelined
 * request behind it, the header block's end and its Content-Length); headers are never kept.
 */

/** What HTTP/1.x clients send (RFC 9110 section 9 plus PATCH, RFC 5789); the NetworkObservation schema's list. */
export const requestMethods = observedHttpMethods;
export type RequestMethod = (typeof requestMethods)[number];

/** Why (part of) a payload gave no request line. Every one is counted, never logged one by one. */
export const httpSkipReasons = [
  /** A TLS record (handshake) instead of plaintext: recognised, not parsed. */
  'tls',
  /** The HTTP/2 connection preface ("PRI * HTTP/2.0"): recognised, not parsed. */
  'http2',
  /** The line did not end within the captured bytes because the snap length cut the packet. */
  'line-too-long',
  /** The line did not end within a segment that was captured whole: it continues in the next one. */
  'line-split',
  /** Not one of requestMethods (or not followed by a space). */
  'bad-method',
  /** A request target that is not origin-form or absolute-form, or has bytes outside visible ASCII. */
  'bad-target',
  /** Not HTTP/1.0 or HTTP/1.1. */
  'bad-version',
  /** Bytes after a request whose body length is unknown (chunked): a pipelined request there is not looked for. */
  'pipeline-unknown-length',
  /** More pipelined requests in one segment than maxRequestsPerSegment. */
  'pipeline-too-many',
] as const;
export type HttpSkipReason = (typeof httpSkipReasons)[number];

export interface RequestLine {
  method: RequestMethod;
  /** The request target as sent (query and all); templating happens later. */
  target: string;
  version: '1.0' | '1.1';
}

export interface RequestLines {
  requests: RequestLine[];
  skipped: HttpSkipReason[];
}

/** Longest request line read; a longer one counts as line-too-long whatever the snap length. */
export const maxRequestLineBytes = 4096;
export const maxRequestsPerSegment = 32;

const space = 0x20;
const cr = 0x0d;
const lf = 0x0a;

/**
 * `complete` says whether [start, end) is the whole TCP payload (false when the snap length cut
 * it): a line without its end is then `line-split` rather than `line-too-long`.
 */
export function parseRequestLines(bytes: Uint8Array, start: number, end: number, complete: boolean): RequestLines {
  const result: RequestLines = { requests: [], skipped: [] };
  if (end - start >= 2 && bytes[start] === 0x16 && bytes[start + 1] === 0x03) {
    result.skipped.push('tls');
    return result;
  }
  if (startsWith(bytes, start, end, http2Preface)) {
    result.skipped.push('http2');
    return result;
  }
  let position = start;
  while (position < end) {
    if (result.requests.length >= maxRequestsPerSegment) {
      result.skipped.push('pipeline-too-many');
      break;
    }
    const next = parseOne(bytes, position, end, complete, result);
    if (next < 0) break;
    position = next;
  }
  return result;
}

/** Parses one request at `start`; returns where the next one would start, or -1 to stop. */
function parseOne(bytes: Uint8Array, start: number, end: number, complete: boolean, out: RequestLines): number {
  const method = methodAt(bytes, start, end);
  if (!method) {
    out.skipped.push('bad-method');
    return -1;
  }
  const lineEnd = indexOfByte(bytes, lf, start, Math.min(end, start + maxRequestLineBytes));
  if (lineEnd < 0) {
    const cutByLimit = end - start >= maxRequestLineBytes;
    out.skipped.push(complete && !cutByLimit ? 'line-split' : 'line-too-long');
    return -1;
  }
  const contentEnd = lineEnd > start && bytes[lineEnd - 1] === cr ? lineEnd - 1 : lineEnd;
  const targetStart = start + method.length + 1;
  const targetEnd = indexOfByte(bytes, space, targetStart, contentEnd);
  if (targetEnd <= targetStart) {
    out.skipped.push(targetEnd === targetStart ? 'bad-target' : 'bad-version');
    return -1;
  }
  const version = versionAt(bytes, targetEnd + 1, contentEnd);
  if (!version) {
    out.skipped.push('bad-version');
    return -1;
  }
  const target = asciiTarget(bytes, targetStart, targetEnd);
  if (target === undefined) {
    out.skipped.push('bad-target');
    return -1;
  }
  out.requests.push({ method, target, version });
  return afterRequest(bytes, lineEnd + 1, end, out);
}

/**
 * Where a pipelined request behind this one would start: after the header block and a body of
 * Content-Length bytes. -1 when the headers or the body do not end in the captured bytes (nothing
 * more to see), or when the body's length is unknown (counted).
 */
function afterRequest(bytes: Uint8Array, headersStart: number, end: number, out: RequestLines): number {
  let position = headersStart;
  let bodyLength = 0;
  for (;;) {
    const lineEnd = indexOfByte(bytes, lf, position, end);
    if (lineEnd < 0) return -1;
    const contentEnd = lineEnd > position && bytes[lineEnd - 1] === cr ? lineEnd - 1 : lineEnd;
    if (contentEnd === position) break;
    if (headerIs(bytes, position, contentEnd, contentLength)) {
      const value = decimalAfterColon(bytes, position + contentLength.length, contentEnd);
      if (value < 0) return unknownLength(end, lineEnd, out);
      bodyLength = value;
    } else if (headerIs(bytes, position, contentEnd, transferEncoding)) {
      return unknownLength(end, lineEnd, out);
    }
    position = lineEnd + 1;
  }
  const next = position + (position < end && bytes[position] === cr ? 2 : 1) + bodyLength;
  return next < end ? next : -1;
}

function unknownLength(end: number, lineEnd: number, out: RequestLines): number {
  if (lineEnd + 1 < end) out.skipped.push('pipeline-unknown-length');
  return -1;
}

const http2Preface = bytesOf('PRI * HTTP/2.0');
const contentLength = bytesOf('content-length');
const transferEncoding = bytesOf('transfer-encoding');
const methodBytes = requestMethods.map((m) => ({ method: m, bytes: bytesOf(`${m} `) }));

function methodAt(bytes: Uint8Array, start: number, end: number): RequestMethod | undefined {
  for (const candidate of methodBytes) if (startsWith(bytes, start, end, candidate.bytes)) return candidate.method;
  return undefined;
}

function versionAt(bytes: Uint8Array, start: number, end: number): '1.0' | '1.1' | undefined {
  if (end - start !== 8) return undefined;
  if (!startsWith(bytes, start, end, httpSlashOne)) return undefined;
  const minor = bytes[start + 7];
  return minor === 0x31 ? '1.1' : minor === 0x30 ? '1.0' : undefined;
}
const httpSlashOne = bytesOf('HTTP/1.');

/** Visible ASCII only (RFC 9112 request-target); anything else is not a request we can name. */
function asciiTarget(bytes: Uint8Array, start: number, end: number): string | undefined {
  let text = '';
  for (let i = start; i < end; i++) {
    const byte = bytes[i] ?? 0;
    if (byte < 0x21 || byte > 0x7e) return undefined;
    text += String.fromCharCode(byte);
  }
  return text;
}

/** Header name compared case-insensitively, followed by a colon. */
function headerIs(bytes: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start <= name.length || bytes[start + name.length] !== 0x3a) return false;
  for (let i = 0; i < name.length; i++) {
    const byte = bytes[start + i] ?? 0;
    const lower = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
    if (lower !== name[i]) return false;
  }
  return true;
}

/** The decimal value after `name:` and optional spaces; -1 when it is not a plain number. */
function decimalAfterColon(bytes: Uint8Array, colon: number, end: number): number {
  let i = colon + 1;
  while (i < end && (bytes[i] === space || bytes[i] === 0x09)) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const byte = bytes[i] ?? 0;
    if (byte === space || byte === 0x09) break;
    if (byte < 0x30 || byte > 0x39 || digits >= 15) return -1;
    value = value * 10 + (byte - 0x30);
    digits++;
  }
  for (; i < end; i++) if (bytes[i] !== space && bytes[i] !== 0x09) return -1;
  return digits === 0 ? -1 : value;
}

function startsWith(bytes: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

function indexOfByte(bytes: Uint8Array, value: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i] === value) return i;
  return -1;
}

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
