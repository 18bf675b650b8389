import type { MalformedReason } from './reasons.js';

/**
 * The link types a node presents: Linux cooked capture on `any` (v1, or v2 when libpcap is asked
 * for it), Ethernet on bridges and veths, raw IP on tunnels and some CNI devices.
 */
export type LinkType = 'ethernet' | 'sll' | 'sll2' | 'raw';

const dltNumbers: Record<number, LinkType> = {
  1: 'ethernet',
  12: 'raw',
  101: 'raw',
  113: 'sll',
  228: 'raw',
  229: 'raw',
  276: 'sll2',
};

/**
 * `cap` names the link types it knows and reports the others as "Unknown linktype <DLT>"; both
 * spellings and plain DLT numbers are accepted.
 */
export function linkTypeFromName(name: string | number): LinkType | undefined {
  if (typeof name === 'number') return dltNumbers[name];
  switch (name) {
    case 'ETHERNET':
      return 'ethernet';
    case 'LINKTYPE_LINUX_SLL':
      return 'sll';
    case 'RAW':
      return 'raw';
  }
  const match = /(\d+)\s*$/.exec(name);
  return match ? dltNumbers[Number(match[1])] : undefined;
}

export const etherTypeIpv4 = 0x0800;
export const etherTypeIpv6 = 0x86dd;
/** The version nibble decides; used for raw IP. */
export const etherTypeFromVersion = -1;

export type LinkResult =
  | { ok: true; offset: number; etherType: number }
  | { ok: false; reason: MalformedReason };

const sllHeaderLength = 16;
const sll2HeaderLength = 20;
const ethernetHeaderLength = 14;
const maxVlanTags = 4;

export function parseLinkLayer(bytes: Uint8Array, length: number, linkType: LinkType): LinkResult {
  switch (linkType) {
    case 'raw':
      return { ok: true, offset: 0, etherType: etherTypeFromVersion };
    case 'ethernet':
      return afterVlanTags(bytes, length, 12);
    case 'sll':
      if (length < sllHeaderLength) return { ok: false, reason: 'link-truncated' };
      return afterVlanTags(bytes, length, 14);
    case 'sll2':
      if (length < sll2HeaderLength) return { ok: false, reason: 'link-truncated' };
      return withVlanTags(bytes, length, readU16(bytes, 0), sll2HeaderLength);
  }
}

/** `typeOffset` is where the (outer) EtherType sits; the payload follows it. */
function afterVlanTags(bytes: Uint8Array, length: number, typeOffset: number): LinkResult {
  if (length < typeOffset + 2 || length < ethernetHeaderLength) return { ok: false, reason: 'link-truncated' };
  return withVlanTags(bytes, length, readU16(bytes, typeOffset), typeOffset + 2);
}

function withVlanTags(bytes: Uint8Array, length: number, firstType: number, payloadOffset: number): LinkResult {
  let etherType = firstType;
  let offset = payloadOffset;
  // 802.1Q and 802.1ad (QinQ) tags: 2 bytes TCI, then the next EtherType.
  for (let tags = 0; etherType === 0x8100 || etherType === 0x88a8; tags++) {
    if (tags >= maxVlanTags) return { ok: false, reason: 'link-unsupported' };
    if (length < offset + 4) return { ok: false, reason: 'link-truncated' };
    etherType = readU16(bytes, offset + 2);
    offset += 4;
  }
  return { ok: true, offset, etherType };
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) >>> 0) +
    (((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0))
  );
}
