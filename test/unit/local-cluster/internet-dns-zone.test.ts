import { expect } from 'chai';
import dnsPacket from 'dns-packet';
import { lookup, type Zone } from '../../support/local-cluster/internet-dns-zone.js';
import { answer } from '../../support/local-cluster/upstream-dns-server.js';

const zone: Zone = {
  'api.payments.example': [{ type: 'CNAME', data: 'edge.cdn.example' }],
  'edge.cdn.example': [{ type: 'A', data: '10.245.9.10' }],
};

describe('local internet DNS zone', () => {
  it('follows CNAME chains, and says NXDOMAIN for unknown names (cluster names are CoreDNS\'s)', () => {
    expect(lookup(zone, 'API.payments.example.', 'A').answers).to.deep.equal([
      { name: 'api.payments.example', type: 'CNAME', data: 'edge.cdn.example' },
      { name: 'edge.cdn.example', type: 'A', data: '10.245.9.10' },
    ]);
    expect(lookup(zone, 'api.payments.example.shop.svc.cluster.local', 'A')).to.deep.equal({ rcode: 'NXDOMAIN', answers: [] });
    expect(lookup(zone, 'edge.cdn.example', 'AAAA')).to.deep.equal({ rcode: 'NOERROR', answers: [] });
    expect(lookup(zone, 'constructor', 'A').rcode).to.equal('NXDOMAIN');
  });

  it('answers a query message with its id and question, NXDOMAIN in the flags, and ignores garbage', () => {
    const query = dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'nowhere.example' }] });
    const reply = dnsPacket.decode(answer(zone, query)!);
    expect([reply.id, (reply.flags ?? 0) & 0x0f, reply.questions?.[0]?.name]).to.deep.equal([4242, 3, 'nowhere.example']);
    expect(answer(zone, Buffer.from([1, 2, 3]))).to.equal(undefined);
  });
});
