import { BoundedMap } from '../../shared/core/bounded-map.js';

interface Remembered {
  readonly domain: string;
  readonly until: number;
}

/**
 * Which name each client last looked up for an answer IP, so that a later connection of that
 * client to the IP is credited to the name (an `internet` target by DNS name, not by IP).
 * Bound: `bound` (client, IP) pairs (StoreBounds.maxDnsMemory, 200,000 by default); the least
 * recently refreshed go first. Aged: an answer is forgotten after its `until`.
 */
export class DnsMemory {
  /** `${clientKey}|${ip}` -> the name; order is refresh order. */
  private readonly answers: BoundedMap<string, Remembered>;

  constructor(bound: number, onEvict?: (entries: number) => void) {
    this.answers = new BoundedMap(bound, { onEvict: (evicted) => onEvict?.(evicted.length) });
  }

  get size(): number {
    return this.answers.size;
  }

  remember(clientKey: string, domain: string, ips: readonly string[], until: number): void {
    for (const ip of ips) {
      const key = `${clientKey}|${ip}`;
      const known = this.answers.get(key);
      // A later answer for the same IP (another name, a longer time) is not undone by an earlier one arriving late.
      if (known && known.until > until) continue;
      this.answers.set(key, { domain, until });
    }
  }

  domainFor(clientKey: string, ip: string, at: number): string | undefined {
    const known = this.answers.get(`${clientKey}|${ip}`);
    return known && known.until >= at ? known.domain : undefined;
  }

  /**
   * Takes over what `previous` remembers and this one does not. The previous answers are older
   * than this memory's own: they are put first, so they are the first to go for the bound.
   */
  adoptMissing(previous: DnsMemory): void {
    const merged = [...[...previous.answers].filter(([key]) => !this.answers.has(key)), ...this.answers];
    this.answers.replaceAll(merged);
  }

  /** Forgets answers past their time. */
  expire(now: number): void {
    for (const [key, known] of this.answers) if (known.until < now) this.answers.delete(key);
  }
}
