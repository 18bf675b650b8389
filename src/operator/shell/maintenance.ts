import type { Clock, TimerHandle } from '../../shared/core/clock.js';
import type { ClusterIndex } from '../core/cluster-index.js';
import type { GoneNamespaces } from '../core/gone-namespaces.js';
import type { LeaderState } from '../core/leader-state.js';
import { maintenancePass, type ExpirySettings } from '../core/maintenance.js';
import type { ClientIntentsReconciler } from './controllers/client-intents-reconciler.js';
import type { EventRouting } from './event-routing.js';

export const maintenanceEveryMs = 30_000;

export interface MaintenanceParts {
  readonly index: ClusterIndex;
  readonly gone: GoneNamespaces;
  readonly state: LeaderState;
  readonly settings: ExpirySettings;
  readonly clientReconciler: () => ClientIntentsReconciler;
  readonly routing: EventRouting;
  readonly clock: Clock;
}

/**
 * The periodic maintenance (docs/operator.md, "Bounds and expiry"): `maintenancePass` (core) on
 * the clock every 30 s, the client-intents reconciler's Event fingerprints pruned, and the
 * clients it names enqueued.
 */
export class Maintenance {
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(private readonly parts: MaintenanceParts) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.parts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One pass now. */
  run(): void {
    const { index, gone, state, settings, clock } = this.parts;
    const now = clock.now();
    this.parts.clientReconciler().prune(now);
    this.parts.routing.enqueueClients(maintenancePass({ index, gone, ...(state.active ? { store: state.store, http: state.http } : {}) }, now, settings));
  }

  private schedule(): void {
    this.timer = this.parts.clock.setTimeout(() => {
      if (!this.running) return;
      this.run();
      this.schedule();
    }, maintenanceEveryMs);
  }
}
