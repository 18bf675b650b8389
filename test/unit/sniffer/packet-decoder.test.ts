import { expect } from 'chai';
import { linkTypeFromName, parseLinkLayer } from '../../../src/sniffer/core/capture/link-layer.js';
import type { LinkType } from '../../../src/sniffer/core/capture/link-layer.js';
import { decodePacket } from '../../../src/sniffer/core/capture/packet-decoder.js';
import {
  dnsMessage, ethernet, ipv4, ipv6, protocols, sll, sll2, tcp, tcpDnsStream, tcpFlags, udp,
} from '../../support/sniffer/packets.js';

const at = 1_700_000_000_000;
const answer = (name: string, ip: string) =>
  dnsMessage({ questions: [{ name }], answers: [{ name, type: ip.includes(':') ? 'AAAA' : 'A', data: ip, ttl: 30 }] });

const framings: [LinkType, (ip: Buffer) => Buffer][] = [
  ['ethernet', (ip) => ethernet(ip)],
  ['sll', sll],
  ['sll2', sll2],
  ['raw', (ip) => ip],
];

describe('sniffer decodePacket', () => {
  it('maps cap link type names and DLT numbers', () => {
    expect(linkTypeFromName('ETHERNET')).to.equal('ethernet');
    expect(linkTypeFromName('LINKTYPE_LINUX_SLL')).to.equal('sll');
    expect(linkTypeFromName('RAW')).to.equal('raw');
    expect(linkTypeFromName('Unknown linktype 276')).to.equal('sll2');
    expect(linkTypeFromName('Unknown linktype 229')).to.equal('raw');
    expect(linkTypeFromName(101)).to.equal('raw');
    expect(linkTypeFromName('IEEE802_11_RADIO')).to.equal(undefined);
  });

  for (const [linkType, frame] of framings) {
    it(`decodes DNS over UDP on IPv4 and IPv6 (${linkType})`, () => {
      const v4 = frame(ipv4('10.96.0.10', '10.244.1.5', protocols.udp, udp(53, 40000, answer('db.shop.svc.cluster.local', '10.96.4.4'))));
      expect(decodePacket(v4, v4.length, linkType, at)).to.deep.equal({
        kind: 'dns',
        answers: [{ clientIP: '10.244.1.5', name: 'db.shop.svc.cluster.local', ips: ['10.96.4.4'], ttlSeconds: 30, seenAt: at }],
        ignored: [],
        malformed: [],
      });
      const v6 = frame(ipv6('fd00:10:96::a', 'fd00:244:1::5', protocols.udp, udp(53, 40000, answer('db.shop', 'fd00:10:96::4'))));
      expect(decodePacket(v6, v6.length, linkType, at)).to.deep.include({ kind: 'dns' })
        .and.to.have.nested.property('answers[0].clientIP', 'fd00:244:1::5');
    });

    it(`reports SYNs without ACK whatever the ECN bits (${linkType})`, () => {
      for (const flags of [tcpFlags.SYN, tcpFlags.SYN | tcpFlags.ECE | tcpFlags.CWR]) {
        const v4 = frame(ipv4('10.244.1.5', '10.96.0.1', protocols.tcp, tcp(41000, 443, flags, undefined, [2, 4, 5, 0xb4])));
        expect(decodePacket(v4, v4.length, linkType, at)).to.deep.equal({
          kind: 'syn',
          connection: { clientIP: '10.244.1.5', serverIP: '10.96.0.1', serverPort: 443, source: 'SYN', seenAt: at },
          clientPort: 41000,
        });
        const v6 = frame(ipv6('fd00:244:1::5', 'fd00:10:96::1', protocols.tcp, tcp(41000, 8443, flags)));
        expect(decodePacket(v6, v6.length, linkType, at)).to.have.nested.property('connection.serverIP', 'fd00:10:96::1');
      }
    });

    it(`reads a SYN-ACK as the server answering, IPv4 and IPv6 (${linkType})`, () => {
      const synAck = frame(ipv4('10.96.0.1', '10.244.1.5', protocols.tcp, tcp(443, 41000, tcpFlags.SYN | tcpFlags.ACK)));
      expect(decodePacket(synAck, synAck.length, linkType, at)).to.deep.equal({
        kind: 'syn-ack',
        answer: { serverIP: '10.96.0.1', serverPort: 443, clientIP: '10.244.1.5', clientPort: 41000 },
      });
      const v6 = frame(ipv6('fd00:10:96::1', 'fd00:244:1::5', protocols.tcp, tcp(8443, 41001, tcpFlags.SYN | tcpFlags.ACK | tcpFlags.ECE)));
      expect(decodePacket(v6, v6.length, linkType, at)).to.deep.equal({
        kind: 'syn-ack',
        answer: { serverIP: 'fd00:10:96::1', serverPort: 8443, clientIP: 'fd00:244:1::5', clientPort: 41001 },
      });
      const fromPortZero = frame(ipv4('10.244.1.5', '10.96.0.1', protocols.tcp, tcp(0, 443, tcpFlags.SYN)));
      expect(decodePacket(fromPortZero, fromPortZero.length, linkType, at)).to.deep.equal({ kind: 'malformed', reason: 'transport-bad-header' });
    });
  }

  it('walks 802.1Q tags and IPv4 options, and uses the IP length over Ethernet padding', () => {
    const ip = ipv4('10.0.0.53', '10.0.0.7', protocols.udp, udp(53, 5353, answer('a.example', '192.0.2.1')), { options: [7, 7, 4, 0, 0, 0, 0] });
    const framed = Buffer.concat([ethernet(ip, [100, 200]), Buffer.alloc(20, 0xee)]);
    const outcome = decodePacket(framed, framed.length, 'ethernet', at);
    expect(outcome).to.have.nested.property('answers[0].ips[0]', '192.0.2.1');
    expect(parseLinkLayer(framed, framed.length, 'ethernet')).to.deep.equal({ ok: true, offset: 22, etherType: 0x0800 });
  });

  it('walks IPv6 extension headers and skips non-first fragments', () => {
    const payload = udp(53, 40000, answer('a.example', '2001:db8::1'));
    const withExtensions = ipv6('2001:db8::53', '2001:db8::7', protocols.udp, payload, [
      { type: 0, body: [1, 2, 0, 0] }, { type: 60, body: [1, 10, ...new Array(10).fill(0)] }, { type: 44, body: [0, 0, 0, 0, 0, 1] },
    ]);
    expect(decodePacket(withExtensions, withExtensions.length, 'raw', at)).to.have.nested.property('answers[0].ips[0]', '2001:db8::1');
    const later = ipv6('2001:db8::53', '2001:db8::7', protocols.udp, payload, [{ type: 44, body: [0, 0x08, 0, 0, 0, 1] }]);
    expect(decodePacket(later, later.length, 'raw', at)).to.deep.equal({ kind: 'ignored', reason: 'fragment' });
    const v4Later = ipv4('10.0.0.53', '10.0.0.7', protocols.udp, payload, { fragmentOffset: 185 });
    expect(decodePacket(v4Later, v4Later.length, 'raw', at)).to.deep.equal({ kind: 'ignored', reason: 'fragment' });
    const noNext = ipv6('2001:db8::53', '2001:db8::7', 59, Buffer.alloc(8));
    expect(decodePacket(noNext, noNext.length, 'raw', at)).to.deep.equal({ kind: 'ignored', reason: 'other-protocol' });
  });

  it('decodes several DNS messages in one TCP segment and skips a split one', () => {
    const stream = tcpDnsStream(answer('one.example', '192.0.2.1'), answer('two.example', '2001:db8::2'));
    const segment = ipv4('10.0.0.53', '10.0.0.7', protocols.tcp, tcp(53, 40000, tcpFlags.ACK | tcpFlags.PSH, stream));
    const outcome = decodePacket(segment, segment.length, 'raw', at);
    expect(outcome).to.have.property('kind', 'dns');
    expect(outcome.kind === 'dns' && outcome.answers.map((a) => a.name)).to.deep.equal(['one.example', 'two.example']);

    const third = answer('three.example', '192.0.2.3');
    const split = Buffer.concat([tcpDnsStream(answer('one.example', '192.0.2.1')), tcpDnsStream(third).subarray(0, 10)]);
    const first = ipv4('10.0.0.53', '10.0.0.7', protocols.tcp, tcp(53, 40000, tcpFlags.ACK, split));
    expect(decodePacket(first, first.length, 'raw', at)).to.deep.include({ ignored: ['dns-tcp-partial'] });
    const rest = ipv4('10.0.0.53', '10.0.0.7', protocols.tcp, tcp(53, 40000, tcpFlags.ACK, tcpDnsStream(third).subarray(10)));
    expect(decodePacket(rest, rest.length, 'raw', at).kind).to.be.oneOf(['ignored', 'malformed', 'dns']);
    expect(decodePacket(rest, rest.length, 'raw', at)).not.to.have.nested.property('answers[0]');
  });

  it('counts truncated and bad headers at every layer', () => {
    const good = ethernet(ipv4('10.0.0.53', '10.0.0.7', protocols.udp, udp(53, 40000, answer('a.example', '192.0.2.1'))));
    const reasons = new Set<string>();
    for (let cut = 0; cut < good.length; cut++) {
      const outcome = decodePacket(good.subarray(0, cut), cut, 'ethernet', at);
      expect(outcome.kind, `cut at ${cut}`).to.equal('malformed');
      if (outcome.kind === 'malformed') reasons.add(outcome.reason);
    }
    expect([...reasons]).to.include.members(['link-truncated', 'ip-truncated', 'transport-truncated', 'dns-truncated']);
    const badIhl = Buffer.from(good);
    badIhl[14] = 0x43;
    expect(decodePacket(badIhl, badIhl.length, 'ethernet', at)).to.deep.equal({ kind: 'malformed', reason: 'ip-bad-header' });
    const badUdpLength = Buffer.from(good);
    badUdpLength[14 + 20 + 5] = 3;
    expect(decodePacket(badUdpLength, badUdpLength.length, 'ethernet', at)).to.deep.equal({ kind: 'malformed', reason: 'transport-bad-header' });
    const arp = Buffer.from(good);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect(decodePacket(arp, arp.length, 'ethernet', at)).to.deep.equal({ kind: 'ignored', reason: 'not-ip' });
    const tcpShortOffset = ipv4('10.0.0.1', '10.0.0.2', protocols.tcp, Buffer.from([...tcp(1, 2, tcpFlags.SYN)].map((b, i) => (i === 12 ? 0x30 : b))));
    expect(decodePacket(tcpShortOffset, tcpShortOffset.length, 'raw', at)).to.deep.equal({ kind: 'malformed', reason: 'transport-bad-header' });
    expect(decodePacket(Buffer.alloc(0), 0, 'raw', at)).to.deep.equal({ kind: 'malformed', reason: 'ip-truncated' });
  });

  it('ignores what is neither a DNS response nor a SYN', () => {
    const query = ipv4('10.0.0.7', '10.0.0.53', protocols.udp, udp(40000, 53, dnsMessage({ response: false, questions: [{ name: 'a.example' }] })));
    expect(decodePacket(query, query.length, 'raw', at)).to.deep.equal({ kind: 'ignored', reason: 'not-dns-or-syn' });
    const icmp = ipv4('10.0.0.7', '10.0.0.53', protocols.icmp, Buffer.alloc(8));
    expect(decodePacket(icmp, icmp.length, 'raw', at)).to.deep.equal({ kind: 'ignored', reason: 'other-protocol' });
    const nxdomain = ipv4('10.0.0.53', '10.0.0.7', protocols.udp, udp(53, 4000, dnsMessage({ rcode: 3, questions: [{ name: 'no.example' }] })));
    expect(decodePacket(nxdomain, nxdomain.length, 'raw', at)).to.deep.equal({ kind: 'ignored', reason: 'dns-rcode' });
  });
});
