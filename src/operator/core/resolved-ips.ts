import { BoundedMap } from '../../shared/core/bounded-map.js';

/** The bounds of status.resolvedIPs per client (StoreBounds; the CRD's bounds by default). */
export interface ResolvedIpsBounds {
  readonly maxClients: number;
  readonly maxDomainsPerClient: number;
  readonly maxIpsPerDomain: number;
}

type IpsUntil = BoundedMap<string, number>;

/**
 * What each client's ClientIntents shows in status.resolvedIPs: per domain, the answer IPs and
 * until when each stays (its TTL plus a grace period, StoreBounds.resolvedIpGraceMs).
 * Bound: maxIpsPerDomain IPs per domain (most recently answered kept), maxDomainsPerClient
 * domains per client (most recently answered kept), and maxClients clients (the clients store's
 * own bound: a client given up there is forgotten here).
 */
export class ResolvedIps {
  /** clientKey -> domain -> IP -> until; every level in refresh order. */
  private readonly byClient: BoundedMap<string, BoundedMap<string, IpsUntil>>;
  private readonly counted: { onEvict: (evicted: readonly unknown[]) => void };

  constructor(
    private readonly bounds: ResolvedIpsBounds,
    onEvict?: (entries: number) => void,
  ) {
    this.counted = { onEvict: (evicted) => onEvict?.(evicted.length) };
    this.byClient = new BoundedMap(bounds.maxClients, this.counted);
  }

  /** Adds or refreshes a domain's IPs, each shown until `until`. */
  remember(clientKey: string, domain: string, ips: readonly string[], until: number): void {
    const domains = this.domainsOf(clientKey);
    const known = domains.get(domain) ?? new BoundedMap<string, number>(this.bounds.maxIpsPerDomain, this.counted);
    domains.set(domain, known);
    for (const ip of ips) known.set(ip, until);
  }

  /** Takes over the domains `previous` shows for the client and this one does not. */
  adoptMissing(clientKey: string, previous: ResolvedIps): void {
    const old = previous.byClient.get(clientKey);
    if (!old) return;
    const domains = this.domainsOf(clientKey);
    for (const [domain, ips] of old) if (!domains.has(domain)) domains.set(domain, ips);
  }

  forget(clientKey: string): void {
    this.byClient.delete(clientKey);
  }

  forgetDomain(clientKey: string, domain: string): void {
    this.byClient.get(clientKey)?.delete(domain);
  }

  /** Forgets IPs past their time (and domains left without any); returns the clients that changed. */
  expire(now: number): string[] {
    const changed: string[] = [];
    for (const [clientKey, domains] of this.byClient) {
      let removed = false;
      for (const [domain, ips] of domains) {
        for (const [ip, until] of ips) {
          if (until >= now) continue;
          ips.delete(ip);
          removed = true;
        }
        if (ips.size === 0) domains.delete(domain);
      }
      if (domains.size === 0) this.byClient.delete(clientKey);
      if (removed) changed.push(clientKey);
    }
    return changed;
  }

  /** status.resolvedIPs for the client's `internet` targets: sorted, within the CRD's bounds. */
  listFor(clientKey: string, domains: ReadonlySet<string>, maxEntries: number, maxIps: number): { dns: string; ips: string[] }[] {
    return [...(this.byClient.get(clientKey) ?? [])]
      .filter(([dns, ips]) => domains.has(dns) && ips.size > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, maxEntries)
      .map(([dns, ips]) => ({ dns, ips: [...ips.keys()].sort().slice(0, maxIps) }));
  }

  private domainsOf(clientKey: string): BoundedMap<string, IpsUntil> {
    let domains = this.byClient.get(clientKey);
    if (!domains) {
      domains = new BoundedMap<string, IpsUntil>(this.bounds.maxDomainsPerClient, this.counted);
      this.byClient.set(clientKey, domains);
    }
    return domains;
  }
}
