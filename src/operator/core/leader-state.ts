import { BacklogGate } from './backlog-gate.js';
import { DeliveryTracker } from './delivery-tracker.js';
import { HttpIntents, type HttpIntentsBounds } from './http-intents.js';
import { IntentsStore, type StoreBounds } from './intents-store.js';

const maxWriteHoldMs = 10_000;

/**
 * What only the leader uses, shared by the observation and client-intents reconcilers: the
 * store (replaced when it becomes leader and seeds from the written ClientIntents), the backlog
 * gate and the delivery tracker. `active` once seeded while leading.
 */
export class LeaderState {
  store: IntentsStore;
  /** HTTP paths per target, beside the store (replaced with it when seeding). */
  http: HttpIntents;
  leading = false;
  seeded = false;
  /** When this replica last began to lead: the map is built since then. */
  leadingSince: number | undefined;
  /** Shutting down: deliver what is resolved, take nothing new in. */
  draining = false;
  readonly gate = new BacklogGate(maxWriteHoldMs);
  readonly delivery = new DeliveryTracker();

  constructor(
    readonly maxTargetsPerClient: number,
    private readonly storeBounds: Partial<StoreBounds> = {},
    private readonly httpBounds: Partial<HttpIntentsBounds> = {},
  ) {
    this.store = this.emptyStore();
    this.http = this.emptyHttp();
  }

  emptyHttp(): HttpIntents {
    return new HttpIntents(this.httpBounds);
  }

  /** A store with this operator's bounds; seeding fills a fresh one. */
  emptyStore(): IntentsStore {
    return new IntentsStore(this.maxTargetsPerClient, this.storeBounds);
  }

  get active(): boolean {
    return this.leading && this.seeded;
  }
}
