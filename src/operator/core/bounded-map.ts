/**
 * A Map with a count bound and an age, oldest set first out, for the shell's bookkeeping (the
 * Event fingerprints per client). Written here rather than taken from lru-cache because the core
 * takes time as plain data (`now` arguments), where lru-cache reads a clock of its own.
 */
export class BoundedMap<V> {
  /** Insertion order is set order: the first entries are the oldest. */
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly onEvict?: (entries: number) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    return entry && now - entry.at <= this.maxAgeMs ? entry.value : undefined;
  }

  set(key: string, value: V, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: now });
    let evicted = 0;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
      evicted++;
    }
    if (evicted > 0) this.onEvict?.(evicted);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets entries older than the age. */
  prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.at <= this.maxAgeMs) break;
      this.entries.delete(key);
    }
  }
}
