import { isIP } from 'node:net';

/**
 * Byte builders for sniffer tests and benchmarks: real wire formats written field by field, so a
 * test can produce exactly the well-formed, odd or broken packet it needs. Checksums are left
 * zero (the parsers do not check them).
 */

export interface DnsRecordSpec {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'TXT';
  data: string;
  ttl?: number;
}

export interface DnsMessageSpec {
  id?: number;
  response?: boolean;
  rcode?: number;
  opcode?: number;
  questions?: { name: string; type?: 'A' | 'AAAA' }[];
  answers?: DnsRecordSpec[];
  /** Write owner names after the first as pointers to the question name when equal. */
  compress?: boolean;
}

const typeCodes = { A: 1, AAAA: 28, CNAME: 5, TXT: 16 } as const;

export function encodeName(name: string): number[] {
  const bytes: number[] = [];
  for (const label of name.split('.').filter((l) => l.length > 0)) {
    const encoded = Buffer.from(label, 'latin1');
    bytes.push(encoded.length, ...encoded);
  }
  bytes.push(0);
  return bytes;
}

export function dnsMessage(spec: DnsMessageSpec): Buffer {
  const questions = spec.questions ?? [];
  const answers = spec.answers ?? [];
  const flags = ((spec.response ?? true) ? 0x8000 : 0) | ((spec.opcode ?? 0) << 11) | 0x0100 | 0x0080 | (spec.rcode ?? 0);
  const bytes: number[] = [...u16(spec.id ?? 0x1234), ...u16(flags), ...u16(questions.length), ...u16(answers.length), 0, 0, 0, 0];
  const names = new Map<string, number>();
  const writeName = (name: string): void => {
    const known = names.get(name.toLowerCase());
    if (spec.compress && known !== undefined) {
      bytes.push(0xc0 | (known >> 8), known & 0xff);
      return;
    }
    names.set(name.toLowerCase(), bytes.length);
    bytes.push(...encodeName(name));
  };
  for (const q of questions) {
    writeName(q.name);
    bytes.push(...u16(typeCodes[q.type ?? 'A']), ...u16(1));
  }
  for (const a of answers) {
    writeName(a.name);
    bytes.push(...u16(typeCodes[a.type]), ...u16(1), ...u32(a.ttl ?? 30));
    const data = recordData(a);
    bytes.push(...u16(data.length), ...data);
  }
  return Buffer.from(bytes);
}

function recordData(record: DnsRecordSpec): number[] {
  switch (record.type) {
    case 'A':
      return ipv4Bytes(record.data);
    case 'AAAA':
      return ipv6Bytes(record.data);
    case 'CNAME':
      return encodeName(record.data);
    case 'TXT': {
      const text = Buffer.from(record.data, 'latin1');
      return [text.length, ...text];
    }
  }
}

export function ipv4Bytes(ip: string): number[] {
  if (isIP(ip) !== 4) throw new Error(`not IPv4: ${ip}`);
  return ip.split('.').map(Number);
}

export function ipv6Bytes(ip: string): number[] {
  if (isIP(ip) !== 6) throw new Error(`not IPv6: ${ip}`);
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(dotted[2] ?? '');
    return ipv6Bytes(`${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
  }
  const [head = '', tail = ''] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const headWords = parse(head);
  const tailWords = parse(tail);
  const words = ip.includes('::')
    ? [...headWords, ...new Array<number>(8 - headWords.length - tailWords.length).fill(0), ...tailWords]
    : headWords;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

export function u16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export function udp(sourcePort: number, destinationPort: number, payload: Uint8Array): Buffer {
  return Buffer.from([...u16(sourcePort), ...u16(destinationPort), ...u16(payload.length + 8), 0, 0, ...payload]);
}

export const tcpFlags = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export function tcp(sourcePort: number, destinationPort: number, flags: number, payload: Uint8Array = new Uint8Array(), options: number[] = []): Buffer {
  const padded = [...options];
  while (padded.length % 4 !== 0) padded.push(1);
  const dataOffset = (20 + padded.length) / 4;
  return Buffer.from([
    ...u16(sourcePort), ...u16(destinationPort), ...u32(1000), ...u32(flags & tcpFlags.ACK ? 2000 : 0),
    dataOffset << 4, flags, ...u16(65535), 0, 0, 0, 0, ...padded, ...payload,
  ]);
}

/** A 2-byte length before each message, as DNS over TCP sends them. */
export function tcpDnsStream(...messages: Uint8Array[]): Buffer {
  return Buffer.concat(messages.map((m) => Buffer.concat([Buffer.from(u16(m.length)), m])));
}

export interface Ipv4Options {
  /** Header options, padded to 4 bytes. */
  options?: number[];
  moreFragments?: boolean;
  fragmentOffset?: number;
}

export function ipv4(source: string, destination: string, protocol: number, payload: Uint8Array, opts: Ipv4Options = {}): Buffer {
  const options = [...(opts.options ?? [])];
  while (options.length % 4 !== 0) options.push(0);
  const headerLength = 20 + options.length;
  const fragment = ((opts.moreFragments ? 1 : 0) << 13) | (opts.fragmentOffset ?? 0);
  return Buffer.from([
    0x40 | (headerLength / 4), 0, ...u16(headerLength + payload.length), 0, 1, ...u16(fragment),
    64, protocol, 0, 0, ...ipv4Bytes(source), ...ipv4Bytes(destination), ...options, ...payload,
  ]);
}

export interface Ipv6Extension {
  type: number;
  body?: number[];
}

/** Extension headers are written in order; each body is padded to its unit (8 bytes, 4 for AH). */
export function ipv6(source: string, destination: string, protocol: number, payload: Uint8Array, extensions: Ipv6Extension[] = []): Buffer {
  const chain: number[] = [];
  extensions.forEach((extension, index) => {
    const next = extensions[index + 1]?.type ?? protocol;
    const body = [...(extension.body ?? [])];
    if (extension.type === 51) {
      while ((body.length + 2) % 4 !== 0 || body.length + 2 < 12) body.push(0);
      chain.push(next, (body.length + 2) / 4 - 2, ...body);
    } else if (extension.type === 44) {
      chain.push(next, 0, ...(extension.body ?? [0, 0, 0, 0, 0, 0]).slice(0, 6));
    } else {
      while ((body.length + 2) % 8 !== 0) body.push(0);
      chain.push(next, (body.length + 2) / 8 - 1, ...body);
    }
  });
  const first = extensions[0]?.type ?? protocol;
  return Buffer.from([
    0x60, 0, 0, 0, ...u16(chain.length + payload.length), first, 64,
    ...ipv6Bytes(source), ...ipv6Bytes(destination), ...chain, ...payload,
  ]);
}

export function etherTypeOf(ipPacket: Uint8Array): number {
  return (ipPacket[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800;
}

export function ethernet(ipPacket: Uint8Array, vlans: number[] = []): Buffer {
  const tags = vlans.flatMap((id) => [0x81, 0x00, ...u16(id)]);
  return Buffer.from([
    2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, ...tags, ...u16(etherTypeOf(ipPacket)), ...ipPacket,
  ]);
}

export function sll(ipPacket: Uint8Array): Buffer {
  return Buffer.from([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...u16(etherTypeOf(ipPacket)), ...ipPacket]);
}

export function sll2(ipPacket: Uint8Array): Buffer {
  return Buffer.from([...u16(etherTypeOf(ipPacket)), 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...ipPacket]);
}

export const protocols = { tcp: 6, udp: 17, icmp: 1 } as const;
