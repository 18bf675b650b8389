import { BoundedMap } from '../../shared/core/bounded-map.js';
import type { Evidence } from './evidence.js';
import type { TargetRef } from './target-ref.js';

export interface TargetState {
  readonly ref: TargetRef;
  readonly ports: Set<number>;
  readonly evidence: Evidence;
}

export interface ClientState {
  readonly namespace: string;
  readonly workloadName: string;
  readonly kind: string | undefined;
  objectName: string;
  /** At most the store's maxTargetsPerClient: a target beyond it is refused, not swapped in. */
  readonly targets: Map<string, TargetState>;
  /** The last moment the workload was known to exist (a pod of it in the index, or traffic of it). */
  presentAt: number;
  /** The latest time any of its targets was seen: the oldest-active client is given up first. */
  activeAt: number;
}

/** A client given up (gone, or beyond the bound) whose ClientIntents the shell is to delete. */
export interface Tombstone {
  readonly namespace: string;
  readonly workloadName: string;
  readonly kind: string | undefined;
  readonly objectName: string;
  readonly at: number;
}

/** A deleted client is kept as a tombstone this long at most, for the shell to delete its object. */
const tombstoneMs = 10 * 60_000;

/**
 * The client workloads and their targets with evidence, and the tombstones of those given up.
 * Bound: `maxClients` clients (StoreBounds.maxClients, 20,000 by default); a new client beyond it
 * first gives up the least recently active tenth (one sort per many inserts rather than a scan per
 * insert), whose ClientIntents are then deleted like a gone workload's. Tombstones: at most
 * `maxClients` too, each at most tombstoneMs (10 min).
 */
export class ClientTargets {
  readonly clients: BoundedMap<string, ClientState>;
  /** Order is burial order. */
  readonly tombstones: BoundedMap<string, Tombstone>;
  /** The time the clients given up for the bound are buried at (the time of the insert that made room). */
  private insertingAt = 0;

  constructor(
    maxClients: number,
    private readonly onEvict: (map: 'clients' | 'tombstones', entries: number) => void,
    /** A client has gone from the store (given up or forgotten): what is kept beside it goes too. */
    private readonly onGone: (clientKey: string) => void,
  ) {
    const keep = Math.max(1, Math.floor(maxClients * 0.9));
    this.tombstones = new BoundedMap(maxClients, { onEvict: (evicted) => onEvict('tombstones', evicted.length) });
    this.clients = new BoundedMap(maxClients, {
      victims: (entries, needed) => [...entries].sort(([, a], [, b]) => a.activeAt - b.activeAt).slice(0, needed + maxClients - keep).map(([key]) => key),
      onEvict: (evicted) => {
        for (const [key, state] of evicted) this.entomb(key, state, this.insertingAt);
        this.onEvict('clients', evicted.length);
      },
    });
  }

  get(clientKey: string): ClientState | undefined {
    return this.clients.get(clientKey);
  }

  has(clientKey: string): boolean {
    return this.clients.has(clientKey) || this.tombstones.has(clientKey);
  }

  /** Adds a client, at `now`; a client seen again after it was given up starts over, its object kept (rewritten). */
  insert(clientKey: string, state: ClientState, now: number): void {
    this.tombstones.delete(clientKey);
    this.insertingAt = now;
    this.clients.set(clientKey, state);
  }

  /** Gives a client up: its ClientIntents is to be deleted (desired() has no targets for it). */
  bury(clientKey: string, now: number): void {
    const state = this.clients.get(clientKey);
    if (!state) return;
    this.clients.delete(clientKey);
    this.entomb(clientKey, state, now);
  }

  forget(clientKey: string): void {
    this.clients.delete(clientKey);
    this.tombstones.delete(clientKey);
    this.onGone(clientKey);
  }

  /** Forgets tombstones the shell did not act on within tombstoneMs. */
  expireTombstones(now: number): void {
    this.tombstones.dropOldestWhile((tombstone) => now - tombstone.at > tombstoneMs);
  }

  private entomb(clientKey: string, state: ClientState, now: number): void {
    this.tombstones.delete(clientKey);
    this.tombstones.set(clientKey, { namespace: state.namespace, workloadName: state.workloadName, kind: state.kind, objectName: state.objectName, at: now });
    this.onGone(clientKey);
  }
}
