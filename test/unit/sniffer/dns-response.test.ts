import { expect } from 'chai';
import { decodeDnsResponse } from '../../../src/sniffer/core/capture/dns-response.js';
import { dnsMessage, encodeName, u16, u32 } from '../../support/sniffer/packets.js';

const decode = (message: Uint8Array) => decodeDnsResponse(message, 0, message.length);

describe('sniffer decodeDnsResponse', () => {
  it('returns every A and AAAA address of a response, the lowest TTL and the lower-cased name', () => {
    const message = dnsMessage({
      questions: [{ name: 'Cart.Shop.svc.cluster.local.' }],
      answers: [
        { name: 'cart.shop.svc.cluster.local', type: 'A', data: '10.96.0.10', ttl: 30 },
        { name: 'CART.shop.svc.cluster.local', type: 'AAAA', data: 'fd00:10:96::a', ttl: 5 },
        { name: 'cart.shop.svc.cluster.local', type: 'A', data: '10.96.0.10', ttl: 30 },
      ],
    });
    expect(decode(message)).to.deep.equal({
      ok: true,
      name: 'cart.shop.svc.cluster.local',
      ips: ['10.96.0.10', 'fd00:10:96::a'],
      ttlSeconds: 5,
    });
  });

  it('maps a CNAME chain back to the asked name and leaves unrelated records out', () => {
    const message = dnsMessage({
      compress: true,
      questions: [{ name: 'www.example.com' }],
      answers: [
        { name: 'www.example.com', type: 'CNAME', data: 'edge.cdn.example.net' },
        { name: 'edge.cdn.example.net', type: 'CNAME', data: 'pop7.cdn.example.net' },
        { name: 'pop7.cdn.example.net', type: 'A', data: '192.0.2.7', ttl: 60 },
        { name: 'unrelated.example.org', type: 'A', data: '192.0.2.99' },
        { name: 'www.example.com', type: 'TXT', data: 'hello' },
      ],
    });
    expect(decode(message)).to.deep.equal({ ok: true, name: 'www.example.com', ips: ['192.0.2.7'], ttlSeconds: 60, cnames: ['edge.cdn.example.net', 'pop7.cdn.example.net'] });
  });

  it('reports the CNAME chain of an autopath answer: the asked cluster name, then the outside name it aliases', () => {
    // As CoreDNS's autopath answers a pod in e2e-shop asking for api.payments.example through
    // its first search domain: a CNAME from the expanded name to the name found, then the
    // upstream's chain for that name.
    const message = dnsMessage({
      compress: true,
      questions: [{ name: 'api.payments.example.e2e-shop.svc.cluster.local' }],
      answers: [
        { name: 'api.payments.example.e2e-shop.svc.cluster.local', type: 'CNAME', data: 'api.payments.example', ttl: 5 },
        { name: 'api.payments.example', type: 'CNAME', data: 'edge.payments-cdn.example', ttl: 5 },
        { name: 'edge.payments-cdn.example', type: 'CNAME', data: 'pop1.edge.payments-cdn.example', ttl: 5 },
        { name: 'pop1.edge.payments-cdn.example', type: 'A', data: '10.245.78.10', ttl: 5 },
      ],
    });
    expect(decode(message)).to.deep.equal({
      ok: true,
      name: 'api.payments.example.e2e-shop.svc.cluster.local',
      ips: ['10.245.78.10'],
      ttlSeconds: 5,
      cnames: ['api.payments.example', 'edge.payments-cdn.example', 'pop1.edge.payments-cdn.example'],
    });
  });

  it('reports the CNAME of an ExternalName Service answer', () => {
    const message = dnsMessage({
      compress: true,
      questions: [{ name: 'status.e2e-shop.svc.cluster.local' }],
      answers: [
        { name: 'status.e2e-shop.svc.cluster.local', type: 'CNAME', data: 'status.example.org', ttl: 5 },
        { name: 'status.example.org', type: 'A', data: '10.245.78.10', ttl: 5 },
      ],
    });
    expect(decode(message)).to.deep.equal({ ok: true, name: 'status.e2e-shop.svc.cluster.local', ips: ['10.245.78.10'], ttlSeconds: 5, cnames: ['status.example.org'] });
  });

  it('decodes each message on its own although the decoder reuses its lists between messages', () => {
    const chained = dnsMessage({
      compress: true,
      questions: [{ name: 'www.example.com' }],
      answers: [
        { name: 'www.example.com', type: 'CNAME', data: 'edge.example.net' },
        { name: 'edge.example.net', type: 'A', data: '192.0.2.1' },
        { name: 'edge.example.net', type: 'A', data: '192.0.2.2' },
        { name: 'edge.example.net', type: 'A', data: '192.0.2.3' },
      ],
    });
    // Its answer is owned by a name the previous message's CNAME led to: it must not count here.
    const plain = dnsMessage({
      compress: true,
      questions: [{ name: 'api.example.org' }],
      answers: [{ name: 'edge.example.net', type: 'A', data: '192.0.2.9' }, { name: 'api.example.org', type: 'A', data: '198.51.100.1' }],
    });
    const first = decode(chained);
    expect(first).to.deep.equal({ ok: true, name: 'www.example.com', ips: ['192.0.2.1', '192.0.2.2', '192.0.2.3'], ttlSeconds: 30, cnames: ['edge.example.net'] });
    expect(decode(plain)).to.deep.equal({ ok: true, name: 'api.example.org', ips: ['198.51.100.1'], ttlSeconds: 30 });
    expect(decode(chained)).to.deep.equal(first);
    expect(decode(dnsMessage({ questions: [{ name: 'api.example.org' }], answers: [] }))).to.deep.equal({ ok: false, kind: 'ignored', reason: 'dns-no-address' });
  });

  it('follows compression pointers inside names and CNAME data', () => {
    // Question at offset 12: "api.example.com"; the answer owner is a pointer to it, the
    // CNAME target is "b." + pointer to "example.com" (offset 16), the A owner points there.
    const question = encodeName('api.example.com');
    const bytes = [
      ...u16(1), ...u16(0x8180), ...u16(1), ...u16(2), 0, 0, 0, 0,
      ...question, ...u16(1), ...u16(1),
      0xc0, 12, ...u16(5), ...u16(1), ...u32(10), ...u16(4), 1, 0x62, 0xc0, 16,
      // the second answer's owner is the CNAME data ("b.example.com") found by a pointer
      0xc0, 12 + question.length + 4 + 12, ...u16(1), ...u16(1), ...u32(20), ...u16(4), 198, 51, 100, 1,
    ];
    expect(decode(Uint8Array.from(bytes))).to.deep.equal({ ok: true, name: 'api.example.com', ips: ['198.51.100.1'], ttlSeconds: 20, cnames: ['b.example.com'] });
  });

  it('stops at pointer loops and counts them', () => {
    const bytes = [...u16(1), ...u16(0x8180), ...u16(1), ...u16(0), 0, 0, 0, 0, 0xc0, 12, ...u16(1), ...u16(1)];
    expect(decode(Uint8Array.from(bytes))).to.deep.equal({ ok: false, kind: 'malformed', reason: 'dns-name-loop' });
    const twoStep = [...u16(1), ...u16(0x8180), ...u16(1), ...u16(0), 0, 0, 0, 0, 1, 0x61, 0xc0, 12];
    expect(decode(Uint8Array.from(twoStep))).to.deep.equal({ ok: false, kind: 'malformed', reason: 'dns-name-loop' });
  });

  it('ignores queries, other opcodes, error rcodes and answers without addresses', () => {
    const q = [{ name: 'x.example' }];
    expect(decode(dnsMessage({ response: false, questions: q }))).to.include({ kind: 'ignored', reason: 'dns-query' });
    expect(decode(dnsMessage({ opcode: 2, questions: q }))).to.include({ kind: 'ignored', reason: 'dns-opcode' });
    expect(decode(dnsMessage({ rcode: 3, questions: q, answers: [{ name: 'x.example', type: 'A', data: '192.0.2.1' }] })))
      .to.include({ kind: 'ignored', reason: 'dns-rcode' });
    expect(decode(dnsMessage({ questions: q }))).to.include({ kind: 'ignored', reason: 'dns-no-address' });
    expect(decode(dnsMessage({ questions: q, answers: [{ name: 'x.example', type: 'TXT', data: 'a' }] })))
      .to.include({ kind: 'ignored', reason: 'dns-no-address' });
  });

  it('counts broken messages by reason', () => {
    const good = dnsMessage({ questions: [{ name: 'a.example' }], answers: [{ name: 'a.example', type: 'A', data: '192.0.2.1' }] });
    expect(decode(good.subarray(0, 11))).to.include({ reason: 'dns-truncated' });
    for (let cut = 12; cut < good.length; cut++) {
      expect(decode(good.subarray(0, cut)), `cut at ${cut}`).to.include({ ok: false, kind: 'malformed' });
    }
    expect(decode(dnsMessage({ answers: [] }))).to.include({ reason: 'dns-no-question' });
    const badLength = dnsMessage({ questions: [{ name: 'a.example' }], answers: [{ name: 'a.example', type: 'A', data: '192.0.2.1' }] });
    badLength[badLength.length - 5] = 5; // rdlength 4 -> 5, now past the end
    expect(decode(badLength)).to.include({ reason: 'dns-truncated' });
    const shortA = Buffer.from([...dnsMessage({ questions: [{ name: 'a.example' }] })]);
    shortA[7] = 1;
    const withShortA = Buffer.concat([shortA, Buffer.from([0xc0, 12, ...u16(1), ...u16(1), ...u32(1), ...u16(3), 1, 2, 3])]);
    expect(decode(withShortA)).to.include({ reason: 'dns-bad-record' });
    const labelType = Buffer.from([...u16(1), ...u16(0x8180), ...u16(1), ...u16(0), 0, 0, 0, 0, 0x40, 0, ...u16(1), ...u16(1)]);
    expect(decode(labelType)).to.include({ reason: 'dns-bad-name' });
  });

  it('refuses names the observation schema would refuse', () => {
    for (const name of ['bad name.example', 'a\u00e9.example', 'trailing-.example-', 'x\\.y']) {
      const message = dnsMessage({ questions: [{ name }], answers: [{ name, type: 'A', data: '192.0.2.1' }] });
      expect(decode(message), name).to.include({ kind: 'malformed', reason: 'dns-bad-name' });
    }
    const long = Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.');
    expect(decode(dnsMessage({ questions: [{ name: long }] }))).to.include({ reason: 'dns-bad-name' });
  });

  it('decodes different messages at the same offset independently', () => {
    const buffer = Buffer.alloc(512);
    for (const [name, ip] of [['one.example', '192.0.2.1'], ['two.example.org', '192.0.2.2'], ['one.example', '192.0.2.3']] as const) {
      const message = dnsMessage({ compress: true, questions: [{ name }], answers: [{ name, type: 'A', data: ip }] });
      message.copy(buffer, 42);
      expect(decodeDnsResponse(buffer, 42, 42 + message.length)).to.deep.include({ ok: true, name, ips: [ip] });
    }
  });
});
