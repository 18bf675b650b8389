import { expect } from 'chai';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { renderRules } from '../../support/local-cluster/kube-proxy-rules.js';
import { serviceForwards } from '../../support/local-cluster/kube-proxy.js';

const base = { table: 'nmlx', bridge: 'nmlxbr', podCidr4: '10.244.9.0/24', podCidr6: 'fd00:244:9::/64', allowedOutputs: ['nmlxbr', 'nmlxvinet'] };

describe('local cluster kube-proxy rules', () => {
  it('DNATs a ClusterIP port from the pod CIDR to its single endpoint, IPv4 and IPv6', () => {
    const rules = renderRules({ ...base, forwards: [
      { clusterIP: '10.96.0.10', port: 80, protocol: 'TCP', endpoints: [{ ip: '10.244.9.11', port: 8080 }] },
      { clusterIP: 'fd00:10:96::a', port: 80, protocol: 'TCP', endpoints: [{ ip: 'fd00:244:9::b', port: 8080 }, { ip: '10.244.9.11', port: 8080 }] },
    ] });
    expect(rules).to.include('ip saddr 10.244.9.0/24 ip daddr 10.96.0.10 tcp dport 80 dnat ip to 10.244.9.11:8080');
    expect(rules).to.include('ip6 saddr fd00:244:9::/64 ip6 daddr fd00:10:96::a tcp dport 80 dnat ip6 to [fd00:244:9::b]:8080');
    expect(rules.startsWith('table inet nmlx\ndelete table inet nmlx\n')).to.equal(true);
  });

  it('DNATs the host\'s own traffic to a ClusterIP in an output nat chain (hostNetwork pods, by cgroup) and rejects it without endpoints', () => {
    const forwards = [
      { clusterIP: '10.96.9.10', port: 443, protocol: 'TCP' as const, endpoints: [{ ip: '10.244.9.1', port: 6443 }] },
      { clusterIP: '10.96.9.11', port: 80, protocol: 'TCP' as const, endpoints: [{ ip: '10.244.9.12', port: 80 }, { ip: '10.244.9.13', port: 80 }] },
      { clusterIP: '10.96.9.12', port: 80, protocol: 'TCP' as const, endpoints: [] },
    ];
    const rules = renderRules({ ...base, hostCgroup: { path: 'unified/netmap-nmlx', level: 1 }, forwards });
    const chain = (name: string): string => rules.split(`  chain ${name} {`)[1]?.split('\n  }')[0] ?? '';
    expect(chain('output')).to.include('type nat hook output priority -100;');
    const cgroup = 'socket cgroupv2 level 1 "unified/netmap-nmlx"';
    expect(`${chain('output')}\n`).to.include(`\n    ${cgroup} ip daddr 10.96.9.10 tcp dport 443 dnat ip to 10.244.9.1:6443\n`);
    expect(chain('output')).to.include(`${cgroup} ip daddr 10.96.9.11 tcp dport 80 dnat ip to numgen random mod 2 map { 0 : 10.244.9.12 . 80, 1 : 10.244.9.13 . 80 }`);
    expect(chain('output')).not.to.include('10.96.9.12');
    expect(chain('filter_output')).to.include('type filter hook output priority -99;');
    expect(`${chain('filter_output')}\n`).to.include(`\n    ${cgroup} ip daddr 10.96.9.12 tcp dport 80 reject\n`);
    expect(chain('prerouting')).to.include('ip saddr 10.244.9.0/24 ip daddr 10.96.9.10 tcp dport 443 dnat');
    // Without the cgroup the host's traffic is never translated: it could be another cluster's.
    const withoutCgroup = renderRules({ ...base, forwards });
    expect(withoutCgroup.split('  chain output {')[1]?.split('\n  }')[0]).not.to.include('daddr');
  });

  it('spreads over several endpoints with numgen and rejects a Service without endpoints', () => {
    const rules = renderRules({ ...base, apiServerPort: 6443, forwards: [
      { clusterIP: '10.96.0.11', port: 53, protocol: 'UDP', endpoints: [{ ip: '10.244.9.13', port: 53 }, { ip: '10.244.9.12', port: 53 }] },
      { clusterIP: '10.96.0.12', port: 80, protocol: 'TCP', endpoints: [] },
    ] });
    expect(rules).to.include('udp dport 53 dnat ip to numgen random mod 2 map { 0 : 10.244.9.12 . 53, 1 : 10.244.9.13 . 53 }');
    expect(rules).to.match(/filter_prerouting[^}]*ip daddr 10\.96\.0\.12 tcp dport 80 reject/);
    expect(rules).to.include('tcp dport 6443 iifname != { "lo", "nmlxbr" } drop');
    expect(rules).to.include('iifname "nmlxbr" oifname != { "nmlxbr", "nmlxvinet" } drop');
  });

  it('is the same text for the same Services in any order (so unchanged state is not re-applied)', () => {
    const a = { clusterIP: '10.96.0.1', port: 443, protocol: 'TCP' as const, endpoints: [{ ip: '10.244.9.1', port: 6443 }] };
    const b = { clusterIP: '10.96.0.2', port: 80, protocol: 'TCP' as const, endpoints: [{ ip: '10.244.9.10', port: 80 }] };
    expect(renderRules({ ...base, forwards: [a, b] })).to.equal(renderRules({ ...base, forwards: [b, a] }));
  });

  it('takes the ready endpoints of the Service\'s slices, matched by port name, for every ClusterIP', () => {
    const service: V1Service = {
      metadata: { name: 'cart', namespace: 'shop' },
      spec: { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20', 'fd00:10:96::20'], ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 9000 }] },
    };
    const slice = (name: string, namespace: string, service: string): V1EndpointSlice => ({
      metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.9.30'], conditions: { ready: true } },
        { addresses: ['10.244.9.31'], conditions: { ready: false } },
      ],
    });
    const forwards = serviceForwards([service, { metadata: { name: 'headless', namespace: 'shop' }, spec: { clusterIP: 'None', ports: [{ port: 1 }] } }],
      [slice('cart-1', 'shop', 'cart'), slice('other', 'billing', 'cart')]);
    expect(forwards).to.deep.equal([
      { clusterIP: '10.96.0.20', port: 80, protocol: 'TCP', endpoints: [{ ip: '10.244.9.30', port: 8080 }] },
      { clusterIP: 'fd00:10:96::20', port: 80, protocol: 'TCP', endpoints: [{ ip: '10.244.9.30', port: 8080 }] },
      { clusterIP: '10.96.0.20', port: 9000, protocol: 'TCP', endpoints: [] },
      { clusterIP: 'fd00:10:96::20', port: 9000, protocol: 'TCP', endpoints: [] },
    ]);
  });
});
