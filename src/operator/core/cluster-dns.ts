import { isIP } from 'node:net';

export type ClusterName =
  | { readonly kind: 'service'; readonly namespace: string; readonly service: string }
  | { readonly kind: 'pod'; readonly namespace: string; readonly ip: string }
  | { readonly kind: 'unknown-in-cluster' }
  | { readonly kind: 'external' };

/**
 * Reads a queried name against the cluster domain: `<svc>.<ns>.svc.<domain>` and its longer
 * headless forms (`<host>.<svc>.<ns>.svc.<domain>`, which name the same Service), and
 * `a-b-c-d.<ns>.pod.<domain>` (dashes for the dots or colons of the pod's IP).
 */
export function parseClusterName(name: string, clusterDomain: string): ClusterName {
  const lower = name.toLowerCase().replace(/\.$/, '');
  const domain = clusterDomain.toLowerCase().replace(/^\.|\.$/g, '');
  if (lower !== domain && !lower.endsWith(`.${domain}`)) return { kind: 'external' };
  const labels = lower === domain ? [] : lower.slice(0, -(domain.length + 1)).split('.');
  const zone = labels.at(-1);
  if (zone === 'svc' && labels.length >= 3) {
    return { kind: 'service', namespace: labels.at(-2)!, service: labels.at(-3)! };
  }
  if (zone === 'pod' && labels.length === 3) {
    const ip = podIpFromLabel(labels[0]!);
    if (ip) return { kind: 'pod', namespace: labels[1]!, ip };
  }
  return { kind: 'unknown-in-cluster' };
}

function podIpFromLabel(label: string): string | undefined {
  const v4 = label.replaceAll('-', '.');
  if (isIP(v4) === 4) return v4;
  const v6 = label.replaceAll('-', ':');
  if (isIP(v6) === 6) return v6;
  return undefined;
}

/**
 * The name a DNS answer is about. A cluster name answered with a CNAME is an alias: CoreDNS's
 * `autopath` answers a search expansion (`<name>.<ns>.svc.<domain>`) with a CNAME to the name
 * the search found (`<name>`, or `payments.billing.svc.<domain>` for `payments.billing`), and an
 * ExternalName Service's name is a CNAME to its external name. The answer is then about the
 * first name of the chain outside the cluster domain, or else the first alias (a cluster name:
 * never the expansion, whose labels would read as a wrong Service). An outside name keeps the
 * asked name (the first of a CDN's chain is the one the client asked for).
 */
export function answeredName(asked: string, cnames: readonly string[] | undefined, clusterDomain: string): string {
  if (!cnames?.length || parseClusterName(asked, clusterDomain).kind === 'external') return asked;
  return cnames.find((name) => parseClusterName(name, clusterDomain).kind === 'external') ?? cnames[0]!;
}
