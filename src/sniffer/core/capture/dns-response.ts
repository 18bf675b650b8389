import { ipv4At, ipv6At } from './ip-address.js';
import { readU16, readU32 } from './link-layer.js';
import type { IgnoredReason, MalformedReason } from './reasons.js';

/**
 * A DNS response decoder for exactly what the sniffer needs: the asked name and the A/AAAA
 * addresses that answer it (through CNAME chains). It reads the wire format in place, without
 * building a full message object, and bounds every loop by the message size.
 */
export type DnsResponseResult =
  | { ok: true; name: string; ips: string[]; ttlSeconds: number; cnames?: string[] }
  | { ok: false; kind: 'ignored'; reason: IgnoredReason }
  | { ok: false; kind: 'malformed'; reason: MalformedReason };

const headerLength = 12;
const typeA = 1;
const typeCname = 5;
const typeAaaa = 28;
const classIn = 1;
const maxPointerJumps = 32;
const maxNameWireLength = 255;
const maxNameTextLength = 253;
const maxCnameHops = 16;
const maxTtl = 2147483647;
/** The NetworkObservation schema's rule for names (crds/fields.ts dnsName), checked once per response. */
const reportableName = /^[a-z0-9_*]([a-z0-9_.-]*[a-z0-9_])?$/;

const ignored = (reason: IgnoredReason): DnsResponseResult => ({ ok: false, kind: 'ignored', reason });
const malformed = (reason: MalformedReason): DnsResponseResult => ({ ok: false, kind: 'malformed', reason });

/** Outcome of reading one name; reused between calls so the hot path does not allocate for it. */
interface NameCursor {
  /** Position right after the name where it started (not after a pointer target). */
  next: number;
  name: string;
  /** False when a label holds bytes a DNS name we report may not contain. */
  valid: boolean;
  error: MalformedReason | undefined;
}

export function decodeDnsResponse(bytes: Uint8Array, start: number, end: number): DnsResponseResult {
  if (end - start < headerLength) return malformed('dns-truncated');
  const flags = readU16(bytes, start + 2);
  if ((flags & 0x8000) === 0) return ignored('dns-query');
  if (((flags >> 11) & 0x0f) !== 0) return ignored('dns-opcode');
  if ((flags & 0x000f) !== 0) return ignored('dns-rcode');
  const questions = readU16(bytes, start + 4);
  const answers = readU16(bytes, start + 6);
  if (questions === 0) return malformed('dns-no-question');

  clearNameCache();
  let position = start + headerLength;
  let askedName = '';
  for (let q = 0; q < questions; q++) {
    readName(bytes, position, start, end, cursor);
    if (cursor.error) return malformed(cursor.error);
    if (q === 0) {
      if (!cursor.valid || !reportableName.test(cursor.name)) return malformed('dns-bad-name');
      askedName = cursor.name;
    }
    position = cursor.next + 4;
    if (position > end) return malformed('dns-truncated');
  }
  if (answers === 0) return ignored('dns-no-address');

  let addressCount = 0;
  let cnameCount = 0;
  for (let a = 0; a < answers; a++) {
    readName(bytes, position, start, end, cursor);
    if (cursor.error) return malformed(cursor.error);
    const owner = cursor.valid ? cursor.name : undefined;
    position = cursor.next;
    if (position + 10 > end) return malformed('dns-truncated');
    const type = readU16(bytes, position);
    const klass = readU16(bytes, position + 2);
    const ttl = readU32(bytes, position + 4);
    const dataLength = readU16(bytes, position + 8);
    const data = position + 10;
    position = data + dataLength;
    if (position > end) return malformed('dns-truncated');
    if (klass !== classIn || owner === undefined) continue;
    if (type === typeA) {
      if (dataLength !== 4) return malformed('dns-bad-record');
      addressOwners[addressCount] = owner;
      addresses[addressCount] = ipv4At(bytes, data);
      addressTtls[addressCount++] = ttl;
    } else if (type === typeAaaa) {
      if (dataLength !== 16) return malformed('dns-bad-record');
      addressOwners[addressCount] = owner;
      addresses[addressCount] = ipv6At(bytes, data);
      addressTtls[addressCount++] = ttl;
    } else if (type === typeCname) {
      readName(bytes, data, start, end, cursor);
      if (cursor.error) return malformed(cursor.error);
      if (cursor.next !== position) return malformed('dns-bad-record');
      if (!cursor.valid) continue;
      cnameFrom[cnameCount] = owner;
      cnameTo[cnameCount++] = cursor.name;
    }
  }

  // Without CNAMEs (the common case) only the asked name's own records count: no chain to build.
  const chain = cnameCount === 0 ? undefined : followCnames(askedName, cnameCount);
  // Most responses carry one address: an array literal of one is a third of the size of an
  // empty array grown by push.
  let ips: string[] | undefined;
  let ttlSeconds = maxTtl;
  for (let i = 0; i < addressCount; i++) {
    const owner = addressOwners[i] as string;
    if (chain ? !chain.includes(owner) : owner !== askedName) continue;
    const ip = addresses[i] as string;
    if (!ips) ips = [ip];
    else if (!ips.includes(ip)) ips.push(ip);
    ttlSeconds = Math.min(ttlSeconds, addressTtls[i] as number);
  }
  if (!ips) return ignored('dns-no-address');
  if (!chain || chain.length === 1) return { ok: true, name: askedName, ips, ttlSeconds };
  // The chain after the asked name: the operator needs it to tell an autopath or ExternalName
  // answer (a cluster name aliased to an outside name) from a lookup of the cluster name.
  let cnames: string[] | undefined;
  for (let i = 1; i < chain.length; i++) {
    const name = chain[i] as string;
    if (!reportableName.test(name)) continue;
    if (!cnames) cnames = [name];
    else cnames.push(name);
  }
  return cnames ? { ok: true, name: askedName, ips, ttlSeconds, cnames } : { ok: true, name: askedName, ips, ttlSeconds };
}

/** The asked name and every name its CNAME chain leads to (bounded, so a CNAME loop ends). */
function followCnames(asked: string, cnames: number): string[] {
  const chain = [asked];
  let current = asked;
  for (let hop = 0; hop < maxCnameHops; hop++) {
    let index = -1;
    for (let i = 0; i < cnames && index < 0; i++) if (cnameFrom[i] === current) index = i;
    if (index < 0) break;
    current = cnameTo[index] as string;
    if (chain.includes(current)) break;
    chain.push(current);
  }
  return chain;
}

/*
 * Per-message state, reused from one message to the next (filled up to a count, never emptied:
 * `length = 0` would drop the backing store and the next push allocate it again). At tens of
 * thousands of responses per second, fresh arrays and cursors per message were most of the
 * decoder's garbage, and that garbage paces the young-generation collections that promote
 * whatever else is alive at the time (a socket scan in progress) into the old generation
 * (bench/sniffer/RESULTS.md §5). Decoding is synchronous, so one set serves every call.
 */
const cursor: NameCursor = { next: 0, name: '', valid: true, error: undefined };
const addressOwners: string[] = [];
const addresses: string[] = [];
const addressTtls: number[] = [];
const cnameFrom: string[] = [];
const cnameTo: string[] = [];

/**
 * Names already read in the current message, by the offset where they (or a suffix of them)
 * start: answer owners are nearly always pointers to the question or to a CNAME target, so most
 * names are decoded once per message. A suffix is kept as (whole name, where the suffix starts)
 * and cut out only when a later name points to it.
 */
const cacheOffsets: number[] = [];
const cacheNames: string[] = [];
const cacheFrom: number[] = [];
const cacheValid: boolean[] = [];
let cacheCount = 0;
/** Lower-cased name bytes are assembled here and turned into a string in one native call. */
const scratch = Buffer.allocUnsafe(maxNameWireLength + 1);
const labelStarts: number[] = [];
const labelOffsets: number[] = [];

function clearNameCache(): void {
  cacheCount = 0;
}

function cached(offset: number): number {
  for (let i = 0; i < cacheCount; i++) if (cacheOffsets[i] === offset) return i;
  return -1;
}

function readName(bytes: Uint8Array, position: number, start: number, end: number, cursor: NameCursor): void {
  let length = 0;
  let valid = true;
  let wireLength = 0;
  let jumps = 0;
  let next = -1;
  let at = position;
  let suffix = '';
  let suffixValid = true;
  let labels = 0;
  cursor.error = undefined;
  for (;;) {
    if (at >= end) {
      cursor.error = 'dns-truncated';
      return;
    }
    const hit = cached(at);
    if (hit >= 0) {
      const whole = cacheNames[hit] as string;
      const from = cacheFrom[hit] as number;
      suffix = from === 0 ? whole : whole.slice(from);
      suffixValid = cacheValid[hit] as boolean;
      if (next < 0) next = skipName(bytes, at, end);
      if (next < 0) {
        cursor.error = 'dns-truncated';
        return;
      }
      break;
    }
    const labelLength = bytes[at] as number;
    if (labelLength === 0) {
      if (next < 0) next = at + 1;
      break;
    }
    const kind = labelLength & 0xc0;
    if (kind === 0xc0) {
      if (at + 1 >= end) {
        cursor.error = 'dns-truncated';
        return;
      }
      if (next < 0) next = at + 2;
      if (++jumps > maxPointerJumps) {
        cursor.error = 'dns-name-loop';
        return;
      }
      at = start + (((labelLength & 0x3f) << 8) | (bytes[at + 1] as number));
      continue;
    }
    if (kind !== 0) {
      cursor.error = 'dns-bad-name';
      return;
    }
    wireLength += labelLength + 1;
    if (wireLength > maxNameWireLength) {
      cursor.error = 'dns-bad-name';
      return;
    }
    if (at + 1 + labelLength > end) {
      cursor.error = 'dns-truncated';
      return;
    }
    labelStarts[labels] = length;
    labelOffsets[labels] = at;
    labels++;
    if (length > 0) scratch[length++] = 0x2e;
    for (let i = at + 1; i <= at + labelLength; i++) {
      let c = bytes[i] as number;
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a))
        valid = false;
      scratch[length++] = c;
    }
    at += labelLength + 1;
  }
  const head = scratch.toString('latin1', 0, length);
  const name = head === '' ? suffix : suffix === '' ? head : `${head}.${suffix}`;
  // A cached suffix skips the wire-length count, so check the result's length here.
  if (name.length > maxNameTextLength) {
    cursor.error = 'dns-bad-name';
    return;
  }
  // Remember the whole name and each of its label suffixes read here, by where they start.
  if (cacheCount < 64) {
    for (let l = 0; l < labels; l++) {
      cacheOffsets[cacheCount] = labelOffsets[l] as number;
      cacheNames[cacheCount] = name;
      cacheFrom[cacheCount] = l === 0 ? 0 : (labelStarts[l] as number) + 1;
      cacheValid[cacheCount++] = valid && suffixValid;
    }
  }
  cursor.next = next;
  cursor.name = name;
  cursor.valid = valid && suffixValid;
}

/** The position after the name at `at`, without decoding it (-1 when it runs past the end). */
function skipName(bytes: Uint8Array, at: number, end: number): number {
  let position = at;
  while (position < end) {
    const labelLength = bytes[position] as number;
    if (labelLength === 0) return position + 1;
    if ((labelLength & 0xc0) === 0xc0) return position + 2 <= end ? position + 2 : -1;
    position += labelLength + 1;
  }
  return -1;
}
