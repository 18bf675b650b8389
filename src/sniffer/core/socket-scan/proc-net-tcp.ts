import { ipv4At, ipv6FromWords } from '../capture/ip-address.js';
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
}

const stateEstablished = '01';
const stateListen = '0A';

/**
 * The kernel prints each 32-bit word of an address in the host's byte order (little-endian on
 * the x86-64 and arm64 nodes we run on; pass 'BE' for the others) and ports in network order.
 */
export function parseProcNetTcp(text: string, endianness: 'LE' | 'BE' = 'LE'): ParsedTable {
  const rows: SocketRow[] = [];
  const malformed: MalformedReason[] = [];
  let lineStart = 0;
  let first = true;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    lineStart = lineEnd + 1;
    if (first) {
      first = false;
      if (line.trimStart().startsWith('sl')) continue;
    }
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/, 4);
    const [slot, local, remote, state] = fields;
    if (slot === undefined || !slot.endsWith(':') || local === undefined || remote === undefined || state === undefined) {
      malformed.push('proc-bad-line');
      continue;
    }
    const upperState = state.toUpperCase();
    if (upperState !== stateEstablished && upperState !== stateListen) {
      if (!/^[0-9A-F]{2}$/.test(upperState)) malformed.push('proc-bad-line');
      continue;
    }
    const localEnd = parseEndpoint(local, endianness);
    const remoteEnd = parseEndpoint(remote, endianness);
    if (localEnd === undefined || remoteEnd === undefined) {
      malformed.push('proc-bad-address');
      continue;
    }
    rows.push({
      state: upperState === stateListen ? 'listen' : 'established',
      localIP: localEnd.ip,
      localPort: localEnd.port,
      remoteIP: remoteEnd.ip,
      remotePort: remoteEnd.port,
    });
  }
  return { rows, malformed };
}

const hexPattern = /^[0-9A-Fa-f]+$/;

function parseEndpoint(text: string, endianness: 'LE' | 'BE'): { ip: string; port: number } | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const address = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (portText.length !== 4 || !hexPattern.test(portText) || !hexPattern.test(address)) return undefined;
  const port = parseInt(portText, 16);
  if (address.length === 8) {
    return { ip: ipv4At(wordBytes(address, 0, endianness), 0), port };
  }
  if (address.length === 32) {
    const words = new Array<number>(8);
    for (let w = 0; w < 4; w++) {
      const b = wordBytes(address, w * 8, endianness);
      words[2 * w] = ((b[0] as number) << 8) | (b[1] as number);
      words[2 * w + 1] = ((b[2] as number) << 8) | (b[3] as number);
    }
    return { ip: ipv6FromWords(words), port };
  }
  return undefined;
}

/** The four bytes of one printed 32-bit word, in network order. */
function wordBytes(hex: string, at: number, endianness: 'LE' | 'BE'): Uint8Array {
  const value = parseInt(hex.slice(at, at + 8), 16);
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
