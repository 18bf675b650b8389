import type { ObservedConnection } from '../observed.js';

/** A SYN-ACK as captured: the server answering the client (source and destination of the SYN swapped). */
export interface HandshakeAnswer {
  readonly serverIP: string;
  readonly serverPort: number;
  readonly clientIP: string;
  readonly clientPort: number;
}

export interface HandshakeLimits {
  /** SYNs waiting for their SYN-ACK at most; beyond it the oldest is forgotten (counted as evicted). */
  readonly maxPending: number;
  /** How long a SYN waits for its answer: Linux retransmits a SYN after 1, 3, 7, 15 and 31 s. */
  readonly answerWithinMs: number;
}

/** About 200 bytes an entry: at most ~13 MiB while a SYN flood is never answered. */
export const defaultHandshakeLimits: HandshakeLimits = { maxPending: 65_536, answerWithinMs: 32_000 };

export interface HandshakeCounts {
  /** SYNs that got no SYN-ACK in time: refused (RST), dropped by a NetworkPolicy, or nothing there. */
  unanswered: number;
  /** SYNs forgotten unanswered because the table was full. */
  evicted: number;
}

const keyOf = (clientIP: string, clientPort: number, serverIP: string, serverPort: number): string =>
  `${clientIP} ${clientPort} ${serverIP} ${serverPort}`;

/**
 * A connection enters the map only when the server answered it. A SYN alone is an attempt: under
 * enforcement a refused call would otherwise become a target, the next export would allow it,
 * and the map would widen itself with every blocked probe. Each SYN waits here until the SYN-ACK
 * with the same four-tuple reversed is captured; seen on the same interface, that tuple is the
 * one the SYN carried (before DNAT on the client's veth, after it on the server's).
 *
 * Written here rather than over a generic LRU: it runs per captured SYN, keeps the first SYN of a
 * retransmitted attempt (its time is the call's), and counts what expires apart from what a full
 * table pushes out. Expiry walks from the oldest entry, so it assumes capture times that do not
 * run backwards; if the clock steps back, entries only wait longer, and the bound still holds.
 */
export class HandshakeMatcher {
  /** Insertion order is capture order: the first entries are the oldest. */
  private readonly pending = new Map<string, ObservedConnection>();
  private readonly counts: HandshakeCounts = { unanswered: 0, evicted: 0 };

  constructor(private readonly limits: HandshakeLimits = defaultHandshakeLimits) {}

  get size(): number {
    return this.pending.size;
  }

  /** A SYN from `clientPort`; a retransmission of a waiting SYN changes nothing. */
  syn(connection: ObservedConnection, clientPort: number): void {
    this.expire(connection.seenAt);
    const key = keyOf(connection.clientIP, clientPort, connection.serverIP, connection.serverPort);
    if (this.pending.has(key)) return;
    if (this.pending.size >= this.limits.maxPending) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
      this.counts.evicted++;
    }
    this.pending.set(key, connection);
  }

  /** The connection the SYN-ACK answers, once; undefined when no SYN waits for it (a copy already matched, or a SYN before the capture started). */
  answer(answer: HandshakeAnswer, seenAt: number): ObservedConnection | undefined {
    this.expire(seenAt);
    const key = keyOf(answer.clientIP, answer.clientPort, answer.serverIP, answer.serverPort);
    const connection = this.pending.get(key);
    if (connection) this.pending.delete(key);
    return connection;
  }

  /** What expired or was evicted since the last call (read into metrics). */
  takeCounts(): HandshakeCounts {
    const taken = { ...this.counts };
    this.counts.unanswered = 0;
    this.counts.evicted = 0;
    return taken;
  }

  /** Forgets what waited too long (also called when no packet comes, so quiet captures count their unanswered SYNs). */
  expire(now: number): void {
    for (const [key, connection] of this.pending) {
      if (now - connection.seenAt < this.limits.answerWithinMs) return;
      this.pending.delete(key);
      this.counts.unanswered++;
    }
  }
}
