import { isIPv6 } from 'node:net';

/** One Service port on one ClusterIP and the ready endpoints behind it. */
export interface ServiceForward {
  readonly clusterIP: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly endpoints: readonly { readonly ip: string; readonly port: number }[];
}

export interface RulesInput {
  readonly table: string;
  readonly bridge: string;
  /** Only traffic from these pods is translated: another cluster on the machine may use the same ClusterIPs. */
  readonly podCidr4: string;
  readonly podCidr6: string;
  /** Interfaces traffic from the bridge may be forwarded to (the bridge itself, the local "internet"). */
  readonly allowedOutputs: readonly string[];
  /** The API server's port: reachable from lo and the bridge only, although it binds 0.0.0.0. */
  readonly apiServerPort?: number;
  /**
   * The cgroup of this cluster's containers, as nft's `socket cgroupv2` names it: only their
   * host-namespace traffic (hostNetwork pods) is translated in output, since every local cluster on
   * the machine has the same ClusterIPs. Without it there is no output translation.
   */
  readonly hostCgroup?: { readonly path: string; readonly level: number };
  readonly forwards: readonly ServiceForward[];
}

/**
 * The whole nft table for one cluster, replaced atomically (`nft -f`): DNAT in prerouting for
 * traffic from this cluster's pod CIDRs only, DNAT in output for the host's own traffic
 * (hostNetwork pods, matched by the cluster's cgroup), as kube-proxy does, and a forward filter
 * so pods reach nothing but each other and the local internet.
 */
export function renderRules(input: RulesInput): string {
  const q = (name: string): string => `"${name}"`;
  const dnat: string[] = [];
  const hostDnat: string[] = [];
  const sorted = [...input.forwards].sort((a, b) => `${a.clusterIP}/${a.port}/${a.protocol}`.localeCompare(`${b.clusterIP}/${b.port}/${b.protocol}`));
  for (const forward of sorted) {
    const v6 = isIPv6(forward.clusterIP);
    const family = v6 ? 'ip6' : 'ip';
    const endpoints = forward.endpoints.filter((e) => isIPv6(e.ip) === v6)
      .slice().sort((a, b) => `${a.ip}:${a.port}`.localeCompare(`${b.ip}:${b.port}`));
    const source = v6 ? input.podCidr6 : input.podCidr4;
    const target = `${family} daddr ${forward.clusterIP} ${forward.protocol.toLowerCase()} dport ${forward.port}`;
    const address = (e: { ip: string; port: number }): string => (v6 ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
    // As kube-proxy does: a Service without ready endpoints refuses at once instead of timing out.
    const action = endpoints.length === 0 ? 'reject'
      : endpoints.length === 1 ? `dnat ${family} to ${address(endpoints[0]!)}`
        : `dnat ${family} to numgen random mod ${endpoints.length} map { ${endpoints.map((e, i) => `${i} : ${e.ip} . ${e.port}`).join(', ')} }`;
    dnat.push(`${family} saddr ${source} ${target} ${action}`);
    if (input.hostCgroup) hostDnat.push(`socket cgroupv2 level ${input.hostCgroup.level} ${q(input.hostCgroup.path)} ${target} ${action}`);
  }
  const isReject = (rule: string): boolean => rule.endsWith(' reject');
  const translations = dnat.filter((rule) => !isReject(rule));
  const hostTranslations = hostDnat.filter((rule) => !isReject(rule));
  const outputs = input.allowedOutputs.map(q).join(', ');
  return [
    `table inet ${input.table}`,
    `delete table inet ${input.table}`,
    `table inet ${input.table} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...translations.map((rule) => `    ${rule}`),
    '  }',
    '  chain output {',
    // nft's priority name dstnat exists for prerouting only; -100 is its value.
    '    type nat hook output priority -100; policy accept;',
    ...hostTranslations.map((rule) => `    ${rule}`),
    '  }',
    '  chain filter_prerouting {',
    '    type filter hook prerouting priority dstnat + 1; policy accept;',
    ...dnat.filter(isReject).map((rule) => `    ${rule}`),
    '  }',
    '  chain filter_output {',
    '    type filter hook output priority -99; policy accept;',
    ...hostDnat.filter(isReject).map((rule) => `    ${rule}`),
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname ${q(input.bridge)} oifname != { ${outputs} } drop`,
    `    oifname ${q(input.bridge)} iifname != { ${outputs} } drop`,
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    ...(input.apiServerPort ? [`    tcp dport ${input.apiServerPort} iifname != { "lo", ${q(input.bridge)} } drop`] : []),
    '  }',
    '}',
    '',
  ].join('\n');
}
