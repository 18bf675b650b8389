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
 * The name a DNS answer is about. A cluster name answered with a CNAME out of the cluster
 * domain is that outside name: CoreDNS's `autopath` answers `<name>.<ns>.svc.<domain>` with a
 * CNAME to `<name>` when the search list finds it there, and an ExternalName Service's name is
 * a CNAME to its external name. Otherwise it is the asked name (the first of a CNAME chain
 * between outside names, such as a CDN's, is the one the client asked for).
 */
export function answeredName(asked: string, cnames: readonly string[] | undefined, clusterDomain: string): string {
  if (!cnames?.length || parseClusterName(asked, clusterDomain).kind === 'external') return asked;
  return cnames.find((name) => parseClusterName(name, clusterDomain).kind === 'external') ?? asked;
}
