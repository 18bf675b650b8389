import type { Logger } from '../../shared/logger.js';
import type { LeaderState } from '../core/leader-state.js';
import { objectId, type ClientRequest, type ObjectRequest } from '../core/reconcile.js';
import type { Controller } from './controller.js';
import { clientId, clientOfIntents, type ClientIntentsReconciler } from './controllers/client-intents-reconciler.js';
import type { ObservationObject, ObservationReconciler } from './controllers/observation-reconciler.js';
import type { ClientIntentsObject } from './convert.js';
import type { OperatorMetrics } from './metrics.js';

export interface EventRoutingParts {
  readonly state: LeaderState;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  readonly observationController: () => Controller<ObjectRequest>;
  readonly clientController: () => Controller<ClientRequest>;
  readonly observationReconciler: () => ObservationReconciler;
  readonly clientReconciler: () => ClientIntentsReconciler;
}

/**
 * The map functions from informer events (and from reconcilers' outcomes) to requests on the
 * leader-only controllers, like controller-runtime's EnqueueRequestsFromMapFunc: store keys to
 * client requests, delivered observations to observation requests, a ClientIntents event to its
 * client, an observation event to itself (after updating the backlog gate).
 */
export class EventRouting {
  constructor(private readonly parts: EventRoutingParts) {}

  /** Store keys -> client requests on the client-intents controller. */
  enqueueClients(keys: Iterable<string>): void {
    const { state } = this.parts;
    for (const key of keys) {
      const request = state.store.requestOf(key);
      if (request) this.parts.clientController().enqueue(request);
      // Gone from the store meanwhile (expired, evicted): nothing of it is left to write.
      else this.enqueueDelivered(state.delivery.written(key));
    }
  }

  /** Observations whose every changed client is written: the observation controller marks them. */
  enqueueDelivered(ids: readonly string[]): void {
    for (const id of ids) {
      const [namespace, name] = JSON.parse(id) as [string, string];
      this.parts.observationController().enqueue({ namespace, name });
    }
  }

  onObservation(type: 'add' | 'update' | 'delete', object: ObservationObject): void {
    const { state, metrics } = this.parts;
    const request = { namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
    const waiting = type !== 'delete' && this.parts.observationReconciler().waiting(object);
    this.enqueueClients(state.gate.setWaiting(objectId(request), waiting));
    metrics.observationsWaiting.set(state.gate.waitingCount);
    this.parts.observationController().enqueue(request);
  }

  onIntents(type: 'add' | 'update' | 'delete', object: ClientIntentsObject): void {
    this.parts.clientReconciler().observed(object, type === 'delete');
    const client = clientOfIntents(object);
    if (client && this.parts.state.store.has(clientId(client))) this.parts.clientController().enqueue(client);
  }

  /** Everything resolved for a gone namespace goes; clients elsewhere drop targets into it. */
  onNamespaceGone(namespace: string): void {
    this.enqueueClients(this.parts.state.store.clientKeys());
    this.parts.log.info('namespace gone: nothing more is written into it', { namespace });
  }
}
