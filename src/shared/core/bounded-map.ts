/**
 * A Map that never holds more than `bound` entries, the one eviction idiom of the operator's
 * memory (IntentsStore's three stores, HTTP paths, Event fingerprints, owner cache) and the
 * sniffer's re-report filter. Room is made BEFORE a new key goes in, so the size is at most the
 * bound at every moment, never "bound + 1 until the next sweep".
 *
 * Order is refresh order: `set` moves a key to the end, so the first entries are the least
 * recently set. By default those go first; `victims` can choose others (the clients store gives
 * up its least recently active tenth at once). Ages are the caller's data: values carry their own
 * time, and `dropOldestWhile` forgets the stale head.
 *
 * Hand-written rather than lru-cache: the core takes time as plain data (lru-cache reads a clock of
 * its own for ages) and some stores choose their victims by something other than recency.
 */
export interface BoundedMapOptions<K, V> {
  /** Called with what was given up for the bound (never for delete, clear or dropOldestWhile). */
  readonly onEvict?: (evicted: readonly (readonly [K, V])[]) => void;
  /**
   * The keys to give up when `needed` entries must go (at least `needed` of them, all present).
   * Defaults to the `needed` least recently set.
   */
  readonly victims?: (entries: ReadonlyMap<K, V>, needed: number) => Iterable<K>;
}

export class BoundedMap<K, V> implements Iterable<[K, V]> {
  private readonly map = new Map<K, V>();

  constructor(
    readonly bound: number,
    private readonly options: BoundedMapOptions<K, V> = {},
  ) {
    if (!Number.isSafeInteger(bound) || bound < 1) throw new RangeError(`a bounded map needs a bound of at least 1, not ${bound}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Sets and refreshes (moves to the end); a new key first makes room for itself. */
  set(key: K, value: V): this {
    if (this.map.has(key)) this.map.delete(key);
    else this.makeRoom(1);
    this.map.set(key, value);
    return this;
  }

  /** Replaces the value of a key already held, keeping its place; false when the key is not held. */
  update(key: K, value: V): boolean {
    if (!this.map.has(key)) return false;
    this.map.set(key, value);
    return true;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /**
   * Replaces the whole content with `entries` (oldest first). When they are more than the bound,
   * the oldest are given up (counted as evicted) before anything goes in.
   */
  replaceAll(entries: readonly (readonly [K, V])[]): void {
    const cut = Math.max(0, entries.length - this.bound);
    this.map.clear();
    for (let i = cut; i < entries.length; i++) this.map.set(entries[i]![0], entries[i]![1]);
    if (cut > 0) this.options.onEvict?.(entries.slice(0, cut));
  }

  /** Forgets entries from the oldest on while `stale` holds of them; returns how many went. */
  dropOldestWhile(stale: (value: V, key: K) => boolean): number {
    let dropped = 0;
    for (const [key, value] of this.map) {
      if (!stale(value, key)) break;
      this.map.delete(key);
      dropped++;
    }
    return dropped;
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  private makeRoom(incoming: number): void {
    const needed = this.map.size + incoming - this.bound;
    if (needed <= 0) return;
    const evicted: [K, V][] = [];
    const chosen = this.options.victims ? this.options.victims(this.map, needed) : this.oldest(needed);
    for (const key of chosen) {
      const value = this.map.get(key);
      if (value === undefined && !this.map.has(key)) continue;
      this.map.delete(key);
      evicted.push([key, value as V]);
    }
    // A victims function that chose too few must not break the bound: the oldest make up the rest.
    if (this.map.size + incoming > this.bound) for (const key of this.oldest(this.map.size + incoming - this.bound)) evicted.push([key, this.take(key)]);
    if (evicted.length > 0) this.options.onEvict?.(evicted);
  }

  private oldest(count: number): K[] {
    const keys: K[] = [];
    for (const key of this.map.keys()) {
      if (keys.length >= count) break;
      keys.push(key);
    }
    return keys;
  }

  private take(key: K): V {
    const value = this.map.get(key) as V;
    this.map.delete(key);
    return value;
  }
}
