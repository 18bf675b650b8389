import { expect } from 'chai';
import dnsPacket from 'dns-packet';
import { dnsAnswerRecord } from '../../../src/crds/network-observation.js';
import { isPlainIp } from '../../../src/crds/fields.js';
import { decodeDnsResponse } from '../../../src/sniffer/core/capture/dns-response.js';
import type { LinkType } from '../../../src/sniffer/core/capture/link-layer.js';
import { decodePacket } from '../../../src/sniffer/core/capture/packet-decoder.js';
import { namespaceConnections } from '../../../src/sniffer/core/socket-scan/namespace-connections.js';
import { parseProcNetTcp } from '../../../src/sniffer/core/socket-scan/proc-net-tcp.js';
import {
  dnsMessage, ethernet, ipv4, ipv6, protocols, sll, sll2, tcp, tcpDnsStream, tcpFlags, udp,
} from '../../support/sniffer/packets.js';
import type { DnsRecordSpec } from '../../support/sniffer/packets.js';

/** mulberry32: a small seeded generator, so a failure replays with the same inputs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Buffer, next: () => number): Buffer {
  const int = (n: number) => Math.floor(next() * n);
  let bytes = Buffer.from(input);
  const steps = 1 + int(4);
  for (let s = 0; s < steps; s++) {
    switch (int(6)) {
      case 0:
      {
        const at = int(bytes.length);
        if (at < bytes.length) bytes[at] = (bytes[at] as number) ^ (1 << int(8));
      }
        break;
      case 1:
        bytes[int(bytes.length)] = int(256);
        break;
      case 2:
        bytes = bytes.subarray(0, int(bytes.length + 1));
        break;
      case 3:
        bytes = Buffer.concat([bytes, Buffer.from(Array.from({ length: int(40) }, () => int(256)))]);
        break;
      case 4: {
        // A compression pointer anywhere: the favourite trick of hostile DNS packets.
        const at = int(bytes.length);
        bytes[at] = 0xc0 | int(4);
        if (at + 1 < bytes.length) bytes[at + 1] = int(256);
        break;
      }
      default: {
        const from = int(bytes.length);
        bytes = Buffer.concat([bytes.subarray(0, from), bytes.subarray(int(bytes.length))]);
      }
    }
  }
  return bytes;
}

function seeds(): [LinkType, Buffer][] {
  const answers = dnsMessage({
    compress: true,
    questions: [{ name: 'www.example.com' }],
    answers: [
      { name: 'www.example.com', type: 'CNAME', data: 'edge.example.net' },
      { name: 'edge.example.net', type: 'A', data: '192.0.2.7' },
      { name: 'edge.example.net', type: 'AAAA', data: '2001:db8::7' },
    ],
  });
  const udp4 = ipv4('10.0.0.53', '10.0.0.7', protocols.udp, udp(53, 40000, answers));
  const udp6 = ipv6('2001:db8::53', '2001:db8::7', protocols.udp, udp(53, 40000, answers), [{ type: 0 }, { type: 60 }]);
  const tcp4 = ipv4('10.0.0.53', '10.0.0.7', protocols.tcp, tcp(53, 40000, tcpFlags.ACK, tcpDnsStream(answers, answers)));
  const syn6 = ipv6('2001:db8::7', 'fd00:10:96::1', protocols.tcp, tcp(40000, 443, tcpFlags.SYN | tcpFlags.ECE, undefined, [2, 4, 5, 0xb4]));
  return [
    ['ethernet', ethernet(udp4, [5])],
    ['sll', sll(udp6)],
    ['sll2', sll2(tcp4)],
    ['raw', syn6],
    ['raw', udp4],
    ['ethernet', ethernet(tcp4)],
  ];
}

describe('sniffer parsers under mutated input (fuzz)', () => {
  it('never throws on 30,000 mutated packets, counts malformed ones and only emits valid observations', () => {
    const next = random(20261126);
    const outcomes = new Map<string, number>();
    const malformedReasons = new Set<string>();
    const inputs = seeds();
    for (let i = 0; i < 30_000; i++) {
      const [linkType, seed] = inputs[i % inputs.length] as [LinkType, Buffer];
      const packet = mutate(seed, next);
      let outcome;
      try {
        outcome = decodePacket(packet, packet.length, linkType, 1_700_000_000_000);
      } catch (error) {
        throw new Error(`packet ${i} (${linkType} ${packet.toString('hex')}) threw: ${String(error)}`, { cause: error });
      }
      outcomes.set(outcome.kind, (outcomes.get(outcome.kind) ?? 0) + 1);
      if (outcome.kind === 'malformed') malformedReasons.add(outcome.reason);
      if (outcome.kind === 'dns') {
        for (const reason of outcome.malformed) malformedReasons.add(reason);
        for (const answer of outcome.answers) {
          const record = { ...answer, ips: answer.ips.slice(0, 16), firstSeen: '2026-11-26T00:00:00Z', lastSeen: '2026-11-26T00:00:00Z', count: 1 };
          delete (record as { seenAt?: number }).seenAt;
          expect(dnsAnswerRecord.safeParse(record).success, JSON.stringify(answer)).to.equal(true);
        }
      }
      if (outcome.kind === 'syn') {
        expect(isPlainIp(outcome.connection.clientIP) && isPlainIp(outcome.connection.serverIP)).to.equal(true);
        expect(outcome.connection.serverPort).to.be.within(1, 65535);
      }
    }
    expect(outcomes.get('malformed') ?? 0).to.be.greaterThan(3000);
    expect(outcomes.get('dns') ?? 0).to.be.greaterThan(1000);
    expect(outcomes.get('syn') ?? 0).to.be.greaterThan(500);
    expect([...malformedReasons]).to.include.members(['link-truncated', 'ip-truncated', 'dns-truncated', 'dns-name-loop', 'dns-bad-name']);
  });

  it('agrees with dns-packet on 3,000 generated responses', () => {
    const next = random(7);
    const int = (n: number) => Math.floor(next() * n);
    const label = () => Array.from({ length: 1 + int(12) }, () => 'abcdefghijklmnopqrstuvwxyz0123456789-'[int(36)]).join('');
    for (let i = 0; i < 3000; i++) {
      const asked = `${label()}.${label()}.example`;
      const records: DnsRecordSpec[] = [];
      let owner = asked;
      for (let hop = int(3); hop > 0; hop--) {
        const target = `${label()}.cdn.example`;
        records.push({ name: owner, type: 'CNAME', data: target, ttl: int(1000) });
        owner = target;
      }
      for (let a = int(5); a > 0; a--) {
        records.push(next() < 0.5
          ? { name: owner, type: 'A', data: `192.0.${int(256)}.${int(256)}`, ttl: int(1000) }
          : { name: owner, type: 'AAAA', data: `2001:db8::${int(65536).toString(16)}`, ttl: int(1000) });
      }
      const message = dnsMessage({ compress: next() < 0.5, questions: [{ name: asked }], answers: records });
      const ours = decodeDnsResponse(message, 0, message.length);
      const theirs = dnsPacket.decode(message);
      const addresses = (theirs.answers ?? []).flatMap((r) =>
        r.type === 'A' || r.type === 'AAAA' ? [{ data: String(r.data), ttl: r.ttl ?? 0 }] : []);
      if (addresses.length === 0) {
        expect(ours).to.deep.equal({ ok: false, kind: 'ignored', reason: 'dns-no-address' });
        continue;
      }
      const ips = [...new Set(addresses.map((r) => r.data))];
      expect(ours.ok, JSON.stringify(records)).to.equal(true);
      if (!ours.ok) continue;
      expect(ours.name).to.equal(theirs.questions?.[0]?.name);
      expect(ours.ips).to.deep.equal(ips.map((ip) => (ip.includes(':') ? canonical(ip) : ip)));
      expect(ours.ttlSeconds).to.equal(Math.min(...addresses.map((r) => r.ttl)));
    }
  });

  it('never throws on 5,000 mutated /proc tables and counts malformed lines', () => {
    const next = random(99);
    const int = (n: number) => Math.floor(next() * n);
    const line = (i: number, local: string, remote: string, st: string) =>
      `  ${i}: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000     0        0 ${i} 1 0000000000000000 20 4 30 10 -1`;
    const table = ['  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      line(0, '00000000:1F90', '00000000:0000', '0A'),
      line(1, '0501F40A:A410', '0A00600A:01BB', '01'),
      line(2, '0000000000000000FFFF00000501F40A:A412', '0000000000000000FFFF00000A00600A:0050', '01'),
      line(3, '440200FD000001000000000005000000:A411', '100000FD00009600000000000A000000:01BB', '01')].join('\n');
    const alphabet = '0123456789ABCDEF: \nxZ\t-';
    let malformed = 0;
    for (let i = 0; i < 5000; i++) {
      const chars = [...table];
      for (let m = 1 + int(6); m > 0; m--) {
        const at = int(chars.length);
        if (next() < 0.2) chars.splice(at, int(30));
        else chars[at] = alphabet[int(alphabet.length)] as string;
      }
      const parsed = parseProcNetTcp(chars.join(''));
      malformed += parsed.malformed.length;
      for (const row of parsed.rows) {
        expect(isPlainIp(row.localIP) && isPlainIp(row.remoteIP), JSON.stringify(row)).to.equal(true);
        expect(row.localPort).to.be.within(0, 65535);
      }
      for (const connection of namespaceConnections(parsed.rows, 1)) expect(connection.serverPort).to.be.within(1, 65535);
    }
    expect(malformed).to.be.greaterThan(2000);
  });
});

function canonical(ip: string): string {
  // dns-packet writes IPv6 in a compressed form that may differ from RFC 5952 only in which zero
  // run it compresses; the generated addresses (2001:db8::x) have a single run.
  return ip.toLowerCase();
}
