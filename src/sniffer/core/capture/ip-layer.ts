import { ipv4At, ipv6At } from './ip-address.js';
import { etherTypeFromVersion, etherTypeIpv4, etherTypeIpv6, readU16 } from './link-layer.js';
import type { IgnoredReason, MalformedReason } from './reasons.js';

export const protocolTcp = 6;
export const protocolUdp = 17;

export type IpResult =
  | {
      ok: true;
      sourceIP: string;
      destinationIP: string;
      protocol: number;
      /** Transport header start and the end of the IP payload (never past the captured bytes). */
      offset: number;
      end: number;
    }
  | { ok: false; kind: 'ignored'; reason: IgnoredReason }
  | { ok: false; kind: 'malformed'; reason: MalformedReason };

const ignored = (reason: IgnoredReason): IpResult => ({ ok: false, kind: 'ignored', reason });
const malformed = (reason: MalformedReason): IpResult => ({ ok: false, kind: 'malformed', reason });

export function parseIp(bytes: Uint8Array, offset: number, length: number, etherType: number): IpResult {
  let type = etherType;
  if (type === etherTypeFromVersion) {
    if (offset >= length) return malformed('ip-truncated');
    const version = (bytes[offset] ?? 0) >> 4;
    type = version === 4 ? etherTypeIpv4 : version === 6 ? etherTypeIpv6 : 0;
  }
  if (type === etherTypeIpv4) return parseIpv4(bytes, offset, length);
  if (type === etherTypeIpv6) return parseIpv6(bytes, offset, length);
  return ignored('not-ip');
}

function parseIpv4(bytes: Uint8Array, offset: number, length: number): IpResult {
  if (length - offset < 20) return malformed('ip-truncated');
  const first = bytes[offset] ?? 0;
  if (first >> 4 !== 4) return malformed('ip-bad-header');
  const headerLength = (first & 0x0f) * 4;
  const totalLength = readU16(bytes, offset + 2);
  if (headerLength < 20 || totalLength < headerLength) return malformed('ip-bad-header');
  if (length - offset < headerLength) return malformed('ip-truncated');
  // Only the first fragment carries the transport header.
  const fragmentOffset = readU16(bytes, offset + 6) & 0x1fff;
  if (fragmentOffset !== 0) return ignored('fragment');
  // Ethernet pads short frames: the IP total length says where the payload ends.
  const end = Math.min(length, offset + totalLength);
  return {
    ok: true,
    sourceIP: ipv4At(bytes, offset + 12),
    destinationIP: ipv4At(bytes, offset + 16),
    protocol: bytes[offset + 9] ?? 0,
    offset: offset + headerLength,
    end,
  };
}

const maxExtensionHeaders = 16;

function parseIpv6(bytes: Uint8Array, offset: number, length: number): IpResult {
  if (length - offset < 40) return malformed('ip-truncated');
  if ((bytes[offset] ?? 0) >> 4 !== 6) return malformed('ip-bad-header');
  const payloadLength = readU16(bytes, offset + 4);
  // A zero payload length means a jumbogram, which never carries what we look for.
  if (payloadLength === 0) return malformed('ip-bad-header');
  const end = Math.min(length, offset + 40 + payloadLength);
  let next = bytes[offset + 6] ?? 0;
  let position = offset + 40;
  for (let count = 0; ; count++) {
    if (next === protocolTcp || next === protocolUdp) break;
    if (count >= maxExtensionHeaders) return malformed('ipv6-bad-extension');
    if (next === 59) return ignored('other-protocol');
    if (position + 8 > end) return malformed('ipv6-bad-extension');
    const following = bytes[position] ?? 0;
    switch (next) {
      case 0: // hop-by-hop options
      case 43: // routing
      case 60: // destination options
      case 135: // mobility
      case 139: // HIP
      case 140: // shim6
        position += ((bytes[position + 1] ?? 0) + 1) * 8;
        break;
      case 44: // fragment
        if ((readU16(bytes, position + 2) & 0xfff8) !== 0) return ignored('fragment');
        position += 8;
        break;
      case 51: // authentication header counts 4-byte units
        position += ((bytes[position + 1] ?? 0) + 2) * 4;
        break;
      default:
        return ignored('other-protocol');
    }
    next = following;
  }
  if (position > end) return malformed('ipv6-bad-extension');
  return {
    ok: true,
    sourceIP: ipv6At(bytes, offset + 8),
    destinationIP: ipv6At(bytes, offset + 24),
    protocol: next,
    offset: position,
    end,
  };
}
