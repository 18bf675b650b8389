/**
 * The HTTP paths seen for one server: methods merged per path, at most `maxPaths` distinct paths,
 * and the paths refused beyond that counted (never dropped silently). Used by the sniffer's
 * window (per server address and port) and by the operator (per target). Plain data, no I/O.
 */
export interface HttpPathEntry {
  readonly path: string;
  /** Sorted, without repeats. */
  readonly methods: string[];
  firstSeen: number;
  lastSeen: number;
}

export class HttpPaths {
  private readonly entries = new Map<string, HttpPathEntry>();
  /** Observations of paths that did not fit (each refused path once per add). */
  overflow = 0;

  constructor(readonly maxPaths: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Adds a path (or merges its methods); false when it is new and the set is full (counted). */
  add(path: string, methods: readonly string[], firstSeen: number, lastSeen: number = firstSeen): boolean {
    const entry = this.entries.get(path);
    if (!entry) {
      if (this.entries.size >= this.maxPaths) {
        this.overflow++;
        return false;
      }
      this.entries.set(path, { path, methods: sortedUnique(methods), firstSeen, lastSeen });
      return true;
    }
    for (const method of methods) if (!entry.methods.includes(method)) entry.methods.push(method);
    entry.methods.sort();
    entry.firstSeen = Math.min(entry.firstSeen, firstSeen);
    entry.lastSeen = Math.max(entry.lastSeen, lastSeen);
    return true;
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  /** The path's methods (sorted), or undefined when it is not held. */
  methodsOf(path: string): readonly string[] | undefined {
    return this.entries.get(path)?.methods;
  }

  /** Forgets paths last seen before `cutoff`; returns how many went. */
  expire(cutoff: number): number {
    let removed = 0;
    for (const [path, entry] of this.entries) {
      if (entry.lastSeen < cutoff) {
        this.entries.delete(path);
        removed++;
      }
    }
    return removed;
  }

  /** Sorted by path. */
  list(): HttpPathEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

function sortedUnique(methods: readonly string[]): string[] {
  return [...new Set(methods)].sort();
}
