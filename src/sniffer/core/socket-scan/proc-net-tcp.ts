import { ipv4FromNumber, ipv6FromWords } from '../capture/ip-address.js';
import type { MalformedReason } from '../capture/reasons.js';

/** The rows of /proc/<pid>/net/tcp{,6} the socket scan needs. */
export interface SocketRow {
  state: 'established' | 'listen';
  localIP: string;
  localPort: number;
  remoteIP: string;
  remotePort: number;
}

export interface ParsedTable {
  rows: SocketRow[];
  malformed: MalformedReason[];
  /** Sockets in SYN_SENT: connections already counted as opened that may become established unnoticed by the counters (scan-reuse.ts). */
  connecting: number;
}

const stateEstablished = 0x01;
const stateSynSent = 0x02;
const stateListen = 0x0a;

/**
 * The kernel prints each 32-bit word of an address in the host's byte order (little-endian on
 * the x86-64 and arm64 nodes we run on; pass 'BE' for the others) and ports in network order.
 * Written over character codes, without splitting lines: a node's tables hold thousands of rows
 * and are read every few seconds.
 */
export function parseProcNetTcp(text: string, endianness: 'LE' | 'BE' = 'LE'): ParsedTable {
  const rows: SocketRow[] = [];
  const malformed: MalformedReason[] = [];
  let connecting = 0;
  // IPv6 addresses repeat within a table (a pod's own IP, its servers): format each once. IPv4
  // ones go through ip-address.ts's own table of formatted addresses.
  const formatted = new Map<string, string>();
  const cursor = { at: 0 };
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const outcome = parseLine(text, lineStart, lineEnd, endianness, formatted, cursor);
    lineStart = lineEnd + 1;
    if (outcome === 'connecting') connecting++;
    else if (typeof outcome === 'string') {
      if (outcome !== 'skip') malformed.push(outcome);
    } else {
      rows.push(outcome);
    }
  }
  return { rows, malformed, connecting };
}

function parseLine(
  text: string,
  start: number,
  end: number,
  endianness: 'LE' | 'BE',
  formatted: Map<string, string>,
  cursor: { at: number },
): SocketRow | MalformedReason | 'skip' | 'connecting' {
  let at = skipSpaces(text, start, end);
  if (at >= end) return 'skip';
  // The header line starts with "sl"; data lines with the slot number and a colon.
  if (text.charCodeAt(at) === 0x73 && text.charCodeAt(at + 1) === 0x6c) return 'skip';
  const slotStart = at;
  while (at < end && isDigit(text.charCodeAt(at))) at++;
  if (at === slotStart || text.charCodeAt(at) !== 0x3a) return 'proc-bad-line';
  at = skipSpaces(text, at + 1, end);
  const localStart = at;
  at = fieldEnd(text, at, end);
  const localEnd = at;
  at = skipSpaces(text, at, end);
  const remoteStart = at;
  at = fieldEnd(text, at, end);
  const remoteEnd = at;
  at = skipSpaces(text, at, end);
  const stateStart = at;
  at = fieldEnd(text, at, end);
  if (localEnd === localStart || remoteEnd === remoteStart || at - stateStart !== 2) return 'proc-bad-line';
  const stateHigh = hexValue(text.charCodeAt(stateStart));
  const stateLow = hexValue(text.charCodeAt(stateStart + 1));
  if (stateHigh < 0 || stateLow < 0) return 'proc-bad-line';
  const state = (stateHigh << 4) | stateLow;
  if (state === stateSynSent) return 'connecting';
  if (state !== stateEstablished && state !== stateListen) return 'skip';

  cursor.at = localStart;
  const localIP = readAddress(text, localStart, localEnd, endianness, formatted, cursor);
  if (localIP === undefined) return 'proc-bad-address';
  const localPort = readPort(text, cursor.at, localEnd);
  cursor.at = remoteStart;
  const remoteIP = readAddress(text, remoteStart, remoteEnd, endianness, formatted, cursor);
  if (remoteIP === undefined || localPort < 0) return 'proc-bad-address';
  const remotePort = readPort(text, cursor.at, remoteEnd);
  if (remotePort < 0) return 'proc-bad-address';
  return { state: state === stateListen ? 'listen' : 'established', localIP, localPort, remoteIP, remotePort };
}

/** Reads "<hex address>:" and leaves the cursor on the port; undefined when malformed. */
function readAddress(
  text: string,
  start: number,
  end: number,
  endianness: 'LE' | 'BE',
  formatted: Map<string, string>,
  cursor: { at: number },
): string | undefined {
  const colon = text.indexOf(':', start);
  if (colon < 0 || colon >= end) return undefined;
  const digits = colon - start;
  if (digits === 8) {
    const word = hexWord(text, start);
    if (word < 0) return undefined;
    cursor.at = colon + 1;
    return ipv4FromNumber(endianness === 'LE' ? byteSwapped(word) : word);
  }
  if (digits !== 32) return undefined;
  const words = new Array<number>(4);
  for (let w = 0; w < 4; w++) {
    const word = hexWord(text, start + w * 8);
    if (word < 0) return undefined;
    words[w] = word;
  }
  cursor.at = colon + 1;
  const hex = text.slice(start, colon);
  const known = formatted.get(hex);
  if (known !== undefined) return known;
  const groups = new Array<number>(8);
  for (let w = 0; w < 4; w++) {
    const b = wordBytes(words[w] as number, endianness);
    groups[2 * w] = ((b[0] as number) << 8) | (b[1] as number);
    groups[2 * w + 1] = ((b[2] as number) << 8) | (b[3] as number);
  }
  const ip = ipv6FromWords(groups);
  formatted.set(hex, ip);
  return ip;
}

/** Eight hex digits as an unsigned 32-bit number; -1 when one is not a hex digit. */
function hexWord(text: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 8; i++) {
    const digit = hexValue(text.charCodeAt(i));
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** Exactly four hex digits up to the end of the field; -1 otherwise. */
function readPort(text: string, start: number, end: number): number {
  if (end - start !== 4) return -1;
  let port = 0;
  for (let i = start; i < end; i++) {
    const digit = hexValue(text.charCodeAt(i));
    if (digit < 0) return -1;
    port = (port << 4) | digit;
  }
  return port;
}

function skipSpaces(text: string, at: number, end: number): number {
  let position = at;
  while (position < end && (text.charCodeAt(position) === 0x20 || text.charCodeAt(position) === 0x09)) position++;
  return position;
}

function fieldEnd(text: string, at: number, end: number): number {
  let position = at;
  while (position < end) {
    const c = text.charCodeAt(position);
    if (c === 0x20 || c === 0x09 || c === 0x0d) break;
    position++;
  }
  return position;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** A printed little-endian word as the same four bytes read in network order. */
function byteSwapped(word: number): number {
  return ((word & 0xff) << 24) | (((word >>> 8) & 0xff) << 16) | (((word >>> 16) & 0xff) << 8) | (word >>> 24);
}

/** The four bytes of one printed 32-bit word, in network order. */
function wordBytes(value: number, endianness: 'LE' | 'BE'): Uint8Array {
  const bytes = new Uint8Array(4);
  if (endianness === 'LE') {
    bytes[0] = value & 0xff;
    bytes[1] = (value >>> 8) & 0xff;
    bytes[2] = (value >>> 16) & 0xff;
    bytes[3] = (value >>> 24) & 0xff;
  } else {
    bytes[0] = (value >>> 24) & 0xff;
    bytes[1] = (value >>> 16) & 0xff;
    bytes[2] = (value >>> 8) & 0xff;
    bytes[3] = value & 0xff;
  }
  return bytes;
}
