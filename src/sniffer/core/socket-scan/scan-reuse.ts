import type { ObservedConnection } from '../observed.js';

/** A namespace's connections as last read, without their time. */
export type HeldConnection = Omit<ObservedConnection, 'seenAt'>;

interface Entry {
  activity: string;
  connections: HeldConnection[];
  readAt: number;
}

/**
 * The connections of each network namespace from its last read of net/tcp{,6}, reused while the
 * namespace's TCP activity (tcp-activity.ts) stays the same, for at most `maxAgeMs` after that
 * read. Reading a table walks the kernel's TCP hash, which all namespaces share unless the node
 * sets net.ipv4.tcp_child_ehash_entries: on an idle node that walk was nearly all of the scan's
 * CPU. With every connection that can become established counted by the activity, the bound only
 * guards against what the counters cannot see (a kernel counting differently). Held: one entry
 * per namespace seen by the last scan (`prune` drops the rest).
 */
export class ScanReuse {
  private entries = new Map<string, Entry>();

  constructor(private readonly maxAgeMs: number) {}

  /** The namespace's last connections if they may be reused now; undefined means read the tables. */
  reusable(namespace: string, activity: string | undefined, now: number): readonly HeldConnection[] | undefined {
    if (activity === undefined) return undefined;
    const entry = this.entries.get(namespace);
    if (!entry || entry.activity !== activity || now - entry.readAt >= this.maxAgeMs || now < entry.readAt) return undefined;
    return entry.connections;
  }

  /**
   * Records what a read found. Not kept (the next scan reads again): an unreadable activity, and
   * a read that saw sockets in SYN_SENT, whose connections were counted as opened before they
   * are established, so the counters could miss one of them becoming established while another
   * connection closes.
   */
  remember(namespace: string, activity: string | undefined, connections: readonly ObservedConnection[], now: number, connecting = 0): void {
    if (activity === undefined || connecting > 0) {
      this.entries.delete(namespace);
      return;
    }
    const held = connections.map(({ clientIP, serverIP, serverPort, source }) => ({ clientIP, serverIP, serverPort, source }));
    this.entries.set(namespace, { activity, connections: held, readAt: now });
  }

  /** Forgets every namespace not in `seen` (gone since). */
  prune(seen: ReadonlySet<string>): void {
    for (const namespace of this.entries.keys()) if (!seen.has(namespace)) this.entries.delete(namespace);
  }

  get size(): number {
    return this.entries.size;
  }
}
