import { expect } from 'chai';
import fc from 'fast-check';
import { decodeHttpPacket } from '../../../src/sniffer/core/http/http-packet.js';
import { ethernet, ipv4, ipv6, protocols, sll2, tcp, tcpFlags, udp } from '../../support/sniffer/packets.js';

const seenAt = Date.UTC(2026, 11, 7, 5, 0, 0);
const payload = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
const segment = (text: string) => tcp(40000, 8080, tcpFlags.ACK | tcpFlags.PSH, payload(text));

describe('sniffer decodeHttpPacket', () => {
  it('turns request segments into templated requests, IPv4 and IPv6, Ethernet and cooked capture', () => {
    const v4 = sll2(ipv4('10.244.1.10', '10.96.0.50', protocols.tcp, segment('GET /users/8812?x=1 HTTP/1.1\r\nHost: a\r\n\r\n')));
    expect(decodeHttpPacket(v4, v4.length, 'sll2', seenAt, false)).to.deep.equal({
      kind: 'http',
      requests: [{ clientIP: '10.244.1.10', serverIP: '10.96.0.50', serverPort: 8080, method: 'GET', path: '/users/{*}', seenAt }],
      skipped: [],
    });
    const v6 = ethernet(ipv6('fd00::10', 'fd00:10:96::50', protocols.tcp, segment('CONNECT cart:443 HTTP/1.1\r\n\r\n')));
    expect(decodeHttpPacket(v6, v6.length, 'ethernet', seenAt, false)).to.deep.equal({ kind: 'http', requests: [], skipped: ['no-path'] });
  });

  it('counts a line cut by the snap length as too long, and one that ends the segment as split', () => {
    const packet = sll2(ipv4('10.0.0.1', '10.0.0.2', protocols.tcp, segment('GET /a/very/long/path')));
    expect(decodeHttpPacket(packet, packet.length, 'sll2', seenAt, true)).to.deep.include({ skipped: ['line-too-long'] });
    expect(decodeHttpPacket(packet, packet.length, 'sll2', seenAt, false)).to.deep.include({ skipped: ['line-split'] });
  });

  it('ignores what is not a TCP payload', () => {
    const bare = sll2(ipv4('10.0.0.1', '10.0.0.2', protocols.tcp, tcp(1, 2, tcpFlags.ACK)));
    expect(decodeHttpPacket(bare, bare.length, 'sll2', seenAt, false)).to.deep.equal({ kind: 'ignored', reason: 'not-http' });
    const datagram = sll2(ipv4('10.0.0.1', '10.0.0.2', protocols.udp, udp(1, 2, payload('GET / HTTP/1.1\r\n'))));
    expect(decodeHttpPacket(datagram, datagram.length, 'sll2', seenAt, false)).to.deep.equal({ kind: 'ignored', reason: 'not-http' });
  });

  it('never throws on mutated and truncated packets (fuzz)', () => {
    const base = sll2(ipv6('fd00::10', 'fd00::20', protocols.tcp, segment('POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET /b HTTP/1.0\r\n\r\n')));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(base.length), fc.boolean(),
        (edits, length, truncated) => {
          const bytes = Buffer.from(base);
          for (const [at, value] of edits) bytes[at] = value;
          const outcome = decodeHttpPacket(bytes, length, 'sll2', seenAt, truncated);
          expect(['http', 'ignored', 'malformed']).to.include(outcome.kind);
        }),
      { numRuns: 20_000, seed: 19 },
    );
  });
});
