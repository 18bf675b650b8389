/**
 * While observations wait to be resolved, the clients they name are still growing: a write now
 * would be followed by another shortly. The gate holds client writes back while any observation
 * waits and releases every held client together when the last one is resolved (or when the hold
 * has lasted `maxHoldMs`, so a stuck backlog cannot stop writes). "Waiting" is a set kept from
 * informer events and reconciles, so asking costs nothing however long the backlog is.
 * Bounded by the observations in the namespace and by the clients in the store.
 */
export class BacklogGate {
  private readonly waiting = new Set<string>();
  private readonly held = new Set<string>();
  private holdUntil: number | undefined;
  private flushing = false;

  constructor(private readonly maxHoldMs: number) {}

  get waitingCount(): number {
    return this.waiting.size;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** An observation started or stopped waiting; returns the clients to release now. */
  setWaiting(observationId: string, waiting: boolean): string[] {
    if (waiting) {
      this.waiting.add(observationId);
      return [];
    }
    if (!this.waiting.delete(observationId) || this.waiting.size > 0) return [];
    return this.release();
  }

  /**
   * Whether this client's write waits for the backlog. The first client held in a hold window
   * gets `releaseAt`: the caller calls lapse() then.
   */
  hold(clientId: string, now: number): { readonly hold: boolean; readonly releaseAt?: number } {
    if (this.flushing || this.waiting.size === 0) return { hold: false };
    if (this.holdUntil !== undefined && now >= this.holdUntil) return { hold: false };
    this.held.add(clientId);
    if (this.holdUntil !== undefined) return { hold: true };
    this.holdUntil = now + this.maxHoldMs;
    return { hold: true, releaseAt: this.holdUntil };
  }

  /**
   * The hold window is over: every held client goes, whatever still waits. The window stays
   * over until the backlog clears (setWaiting) or leadership changes: opening a new one here
   * would hold the released clients again in the same reconcile, and a stuck backlog would then
   * stop their writes for good.
   */
  lapse(now: number): string[] {
    if (this.holdUntil === undefined || now < this.holdUntil || this.held.size === 0) return [];
    const released = [...this.held];
    this.held.clear();
    return released;
  }

  /** Shutting down: nothing is held any more, and what was held goes now. */
  flush(): string[] {
    this.flushing = true;
    return this.release();
  }

  /** Leadership lost: held clients are somebody else's business now. */
  dropHeld(): void {
    this.held.clear();
    this.holdUntil = undefined;
  }

  private release(): string[] {
    const released = [...this.held];
    this.dropHeld();
    return released;
  }
}
