import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface OperatorMetrics {
  readonly observations: Counter<'result'>;
  readonly records: Counter<'result'>;
  readonly unresolved: Counter<'reason'>;
  readonly writes: Counter<'resource' | 'verb'>;
  readonly writeErrors: Counter<'resource' | 'code'>;
  readonly writeConflicts: Counter<'resource'>;
  readonly queueDepth: Gauge<'controller'>;
  readonly queueAdds: Counter<'controller'>;
  readonly queueRetries: Counter<'controller'>;
  readonly queueWaitSeconds: Histogram<'controller'>;
  readonly reconcileSeconds: Histogram<'controller'>;
  readonly reconcileErrors: Counter<'controller' | 'type'>;
  readonly eventsSkipped: Counter<'resource' | 'reason'>;
  readonly observationsWaiting: Gauge;
  readonly informerRestarts: Counter<'resource'>;
  readonly leader: Gauge;
  readonly evictions: Counter<'map'>;
  readonly undeclaredTargets: Gauge<'namespace'>;
  readonly unobservedTargets: Gauge<'namespace'>;
}

export function createOperatorMetrics(registry: Registry): OperatorMetrics {
  const registers = [registry];
  const controller = ['controller'] as const;
  const buckets = [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60];
  return {
    observations: new Counter({ name: 'netmap_observations_processed_total', help: 'NetworkObservations processed, by result (processed, invalid)', labelNames: ['result'], registers }),
    records: new Counter({ name: 'netmap_observation_records_total', help: 'Observation records, by result (resolved, unresolved)', labelNames: ['result'], registers }),
    unresolved: new Counter({ name: 'netmap_unresolved_records_total', help: 'Observation records that could not be resolved, by reason', labelNames: ['reason'], registers }),
    writes: new Counter({ name: 'netmap_writes_total', help: 'Writes to the API server, by resource and verb', labelNames: ['resource', 'verb'], registers }),
    writeErrors: new Counter({ name: 'netmap_write_errors_total', help: 'Failed writes to the API server, by resource and code (HTTP status, network or timeout); conflicts are counted apart', labelNames: ['resource', 'code'], registers }),
    writeConflicts: new Counter({ name: 'netmap_write_conflicts_total', help: 'Writes refused with 409 Conflict (the object changed since it was read; re-read and retried), by resource', labelNames: ['resource'], registers }),
    queueDepth: new Gauge({ name: 'netmap_queue_depth', help: 'Keys waiting in a controller work queue', labelNames: controller, registers }),
    queueAdds: new Counter({ name: 'netmap_queue_adds_total', help: 'Keys added to a controller work queue', labelNames: controller, registers }),
    queueRetries: new Counter({ name: 'netmap_queue_retries_total', help: 'Keys re-added after a failed reconcile', labelNames: controller, registers }),
    queueWaitSeconds: new Histogram({ name: 'netmap_queue_wait_seconds', help: 'Time a key waited in the queue before a worker took it', labelNames: controller, buckets, registers }),
    reconcileSeconds: new Histogram({ name: 'netmap_reconcile_seconds', help: 'Time to reconcile one key, by controller', labelNames: controller, buckets, registers }),
    reconcileErrors: new Counter({ name: 'netmap_reconcile_errors_total', help: 'Failed reconciles, by controller and type (retry, terminal)', labelNames: ['controller', 'type'], registers }),
    eventsSkipped: new Counter({ name: 'netmap_informer_events_skipped_total', help: 'Informer updates not enqueued because no field the operator reads changed', labelNames: ['resource', 'reason'], registers }),
    observationsWaiting: new Gauge({ name: 'netmap_observations_waiting', help: 'NetworkObservations waiting to be resolved (client writes are held back meanwhile)', registers }),
    informerRestarts: new Counter({ name: 'netmap_informer_restarts_total', help: 'Informers restarted after an error, by resource', labelNames: ['resource'], registers }),
    leader: new Gauge({ name: 'netmap_leader', help: '1 while this replica holds the leader lease', registers }),
    evictions: new Counter({ name: 'netmap_evictions_total', help: 'Entries dropped from a bounded map before they aged out, by map (docs/operator.md, Bounds)', labelNames: ['map'], registers }),
    undeclaredTargets: new Gauge({ name: 'netmap_undeclared_targets', help: 'Targets observed that the ClientIntents a user or a GitOps engine owns do not declare, per namespace (docs/gitops.md)', labelNames: ['namespace'], registers }),
    unobservedTargets: new Gauge({ name: 'netmap_unobserved_targets', help: 'Targets such ClientIntents declare that the map has not held for UNOBSERVED_AFTER_SECONDS, per namespace', labelNames: ['namespace'], registers }),
  };
}
