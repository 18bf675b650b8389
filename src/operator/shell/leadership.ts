import { errorFields, type Logger } from '../../shared/logger.js';
import type { Clock } from '../../shared/core/clock.js';
import type { LeaderState } from '../core/leader-state.js';
import type { ObjectRequest } from '../core/reconcile.js';
import { seedSourcesFrom } from '../core/seed-intents.js';
import type { Controller } from './controller.js';
import type { ClientIntentsReconciler } from './controllers/client-intents-reconciler.js';
import type { ObservationObject, ObservationReconciler } from './controllers/observation-reconciler.js';
import type { ClientIntentsObject } from './convert.js';
import type { KafkaIntegration } from './kafka/kafka-integration.js';
import type { EventRouting } from './event-routing.js';
import type { OperatorMetrics } from './metrics.js';
import type { Lister } from './watched-resource.js';

export interface LeadershipParts {
  readonly state: LeaderState;
  readonly intents: Lister<ClientIntentsObject>;
  readonly observations: Lister<ObservationObject>;
  readonly routing: EventRouting;
  readonly observationController: () => Controller<ObjectRequest>;
  readonly observationReconciler: () => ObservationReconciler;
  readonly clientReconciler: () => ClientIntentsReconciler;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly clock: Clock;
  /** The Kafka watcher, run while this replica leads (docs/kafka.md). */
  readonly kafka?: KafkaIntegration;
}

/**
 * Gaining and losing the lead. Either way what only a leader holds is dropped (held writes,
 * delivery bookkeeping, the reconcilers' per-leader state); a new leader then seeds its store
 * from the ClientIntents it wrote before (`seedSourcesFrom`, core) and takes every observation in.
 */
export class Leadership {
  constructor(private readonly parts: LeadershipParts) {}

  setLeading(leading: boolean): void {
    const { state, metrics } = this.parts;
    if (leading === state.leading) return;
    state.leading = leading;
    state.seeded = false;
    metrics.leader.set(leading ? 1 : 0);
    state.gate.dropHeld();
    state.delivery.clear();
    this.parts.observationReconciler().reset();
    this.parts.clientReconciler().reset();
    if (leading) this.seed();
    const { kafka, log } = this.parts;
    if (leading) void kafka?.start().catch((error: unknown) => log.error('kafka watcher did not start', errorFields(error)));
    else void kafka?.stop();
  }

  /**
   * A new leader starts from what it wrote before (the managed ClientIntents), so unchanged
   * traffic leads to the same objects and no writes; then it takes the observations in. The
   * informers have listed by now: the elector starts only after their first lists.
   */
  private seed(): void {
    const { state, log, routing } = this.parts;
    const now = this.parts.clock.now();
    const previous = state.store;
    const store = state.emptyStore();
    const previousHttp = state.http;
    const http = state.emptyHttp();
    const { seeds, unreadable } = seedSourcesFrom(this.parts.intents.list());
    for (const { namespace, name } of unreadable) log.warn('managed ClientIntents has a spec we cannot read; it will be rewritten', { namespace, name });
    const seeded = seeds.map((seed) => {
      const key = store.seed(seed, now);
      http.seed(key, seed.spec, (target) => seed.evidence.get(target)?.lastSeen ?? now, seed.httpOverflow);
      return key;
    });
    // What this replica resolved when it led before but had not written yet.
    seeded.push(...store.adoptMissing(previous, now));
    http.adoptMissing(previousHttp);
    state.store = store;
    state.http = http;
    state.seeded = true;
    state.leadingSince = now;
    log.info('state rebuilt from managed ClientIntents', { clients: store.clientKeys().length });
    routing.enqueueClients(seeded);
    for (const object of this.parts.observations.list()) this.parts.observationController().enqueue({ namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' });
  }
}
