import { expect } from 'chai';
import { ipv4At, ipv6At, ipv6FromWords, isLoopback } from '../../../src/sniffer/core/capture/ip-address.js';
import { ipv6Bytes } from '../../support/sniffer/packets.js';

describe('sniffer ip-address', () => {
  const canonical = (ip: string): string => ipv6At(Uint8Array.from(ipv6Bytes(ip)), 0);

  it('writes IPv4 dotted', () => {
    expect(ipv4At(Uint8Array.from([0, 10, 244, 1, 255]), 1)).to.equal('10.244.1.255');
  });

  it('writes every IPv4 address right when many share a slot of its table of formatted addresses', () => {
    // 200,000 addresses through a 4,096-slot table: every slot is overwritten many times over.
    for (let i = 0; i < 200_000; i++) {
      const bytes = Uint8Array.from([(i * 7919) & 0xff, (i >> 3) & 0xff, (i >> 11) & 0xff, i & 0xff]);
      expect(ipv4At(bytes, 0)).to.equal(bytes.join('.'));
    }
    expect(ipv4At(Uint8Array.from([255, 255, 255, 255]), 0)).to.equal('255.255.255.255');
    expect(ipv4At(Uint8Array.from([0, 0, 0, 0]), 0)).to.equal('0.0.0.0');
  });

  it('writes IPv6 in the RFC 5952 form', () => {
    expect(canonical('2001:DB8:0:0:0:0:0:1')).to.equal('2001:db8::1');
    expect(canonical('2001:db8:0:0:1:0:0:1')).to.equal('2001:db8::1:0:0:1');
    expect(canonical('2001:db8:0:1:1:1:1:1')).to.equal('2001:db8:0:1:1:1:1:1');
    expect(canonical('2001:0:0:1:0:0:0:1')).to.equal('2001:0:0:1::1');
    expect(canonical('0:0:0:0:0:0:0:0')).to.equal('::');
    expect(canonical('::1')).to.equal('::1');
    expect(canonical('fe80:0:0:0:0:0:0:0')).to.equal('fe80::');
    expect(canonical('fd00:10:96::a')).to.equal('fd00:10:96::a');
  });

  it('writes IPv4-mapped IPv6 as IPv4', () => {
    expect(canonical('::ffff:10.1.2.3')).to.equal('10.1.2.3');
    expect(ipv6FromWords([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1])).to.equal('127.0.0.1');
    // IPv4-compatible (deprecated) and NAT64 forms are not mapped.
    expect(canonical('64:ff9b::a01:203')).to.equal('64:ff9b::a01:203');
  });

  it('knows loopback', () => {
    expect(isLoopback('127.0.0.53')).to.equal(true);
    expect(isLoopback('::1')).to.equal(true);
    expect(isLoopback('10.0.0.1')).to.equal(false);
  });
});
