/**
 * Addresses as the sniffer reports them: IPv4 dotted, IPv6 in the RFC 5952 canonical form
 * (lower case, longest zero run compressed), and IPv4-mapped IPv6 written as plain IPv4, so the
 * reporting side and the operator can compare addresses as strings.
 */

/*
 * The few addresses a node sees over and over (its pods, the DNS servers, the Services they ask
 * for) are formatted once: building the dotted string cost ~150 bytes of garbage per address, two
 * or three addresses per captured packet. A direct-mapped table, so a flood of distinct
 * addresses only overwrites slots and memory stays fixed (4,096 short strings at most).
 */
const ipv4CacheSize = 4096;
const ipv4CacheKeys = new Int32Array(ipv4CacheSize);
const ipv4CacheValues = new Array<string | undefined>(ipv4CacheSize).fill(undefined);

export function ipv4At(bytes: Uint8Array, offset: number): string {
  const a = bytes[offset] ?? 0;
  const b = bytes[offset + 1] ?? 0;
  const c = bytes[offset + 2] ?? 0;
  const d = bytes[offset + 3] ?? 0;
  return ipv4FromNumber((a << 24) | (b << 16) | (c << 8) | d);
}

/** An IPv4 address given as its 32 bits in network order (a.b.c.d is a << 24 | ... | d). */
export function ipv4FromNumber(value: number): string {
  const key = value | 0;
  const slot = (key ^ (key >>> 12) ^ (key >>> 24)) & (ipv4CacheSize - 1);
  const hit = ipv4CacheValues[slot];
  if (hit !== undefined && ipv4CacheKeys[slot] === key) return hit;
  const text = `${(key >>> 24) & 0xff}.${(key >>> 16) & 0xff}.${(key >>> 8) & 0xff}.${key & 0xff}`;
  ipv4CacheKeys[slot] = key;
  ipv4CacheValues[slot] = text;
  return text;
}

/** Reads 16 bytes in network order. */
export function ipv6At(bytes: Uint8Array, offset: number): string {
  const words = new Array<number>(8);
  for (let i = 0; i < 8; i++) words[i] = ((bytes[offset + 2 * i] ?? 0) << 8) | (bytes[offset + 2 * i + 1] ?? 0);
  return ipv6FromWords(words);
}

/** Eight 16-bit groups, most significant first. */
export function ipv6FromWords(words: readonly number[]): string {
  if (isV4Mapped(words)) {
    const hi = words[6] ?? 0;
    const lo = words[7] ?? 0;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  // RFC 5952 4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    words
      .slice(from, to)
      .map((w) => w.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function isV4Mapped(words: readonly number[]): boolean {
  return (
    words[0] === 0 &&
    words[1] === 0 &&
    words[2] === 0 &&
    words[3] === 0 &&
    words[4] === 0 &&
    words[5] === 0xffff
  );
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}
