import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface OperatorMetrics {
  readonly observations: Counter<'result'>;
  readonly records: Counter<'result'>;
  readonly unresolved: Counter<'reason'>;
  readonly writes: Counter<'resource' | 'verb'>;
  readonly writeErrors: Counter<'resource'>;
  readonly queueDepth: Gauge;
  readonly reconcileSeconds: Histogram<'kind'>;
  readonly informerRestarts: Counter<'resource'>;
  readonly leader: Gauge;
  readonly evictions: Counter<'map'>;
}

export function createOperatorMetrics(registry: Registry): OperatorMetrics {
  const registers = [registry];
  return {
    observations: new Counter({ name: 'netmap_observations_processed_total', help: 'NetworkObservations processed, by result (processed, invalid)', labelNames: ['result'], registers }),
    records: new Counter({ name: 'netmap_observation_records_total', help: 'Observation records, by result (resolved, unresolved)', labelNames: ['result'], registers }),
    unresolved: new Counter({ name: 'netmap_unresolved_records_total', help: 'Observation records that could not be resolved, by reason', labelNames: ['reason'], registers }),
    writes: new Counter({ name: 'netmap_writes_total', help: 'Writes to the API server, by resource and verb', labelNames: ['resource', 'verb'], registers }),
    writeErrors: new Counter({ name: 'netmap_write_errors_total', help: 'Failed writes to the API server, by resource', labelNames: ['resource'], registers }),
    queueDepth: new Gauge({ name: 'netmap_queue_depth', help: 'Keys waiting in the work queue', registers }),
    reconcileSeconds: new Histogram({ name: 'netmap_reconcile_seconds', help: 'Time to process one work-queue key, by kind', labelNames: ['kind'], buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10], registers }),
    informerRestarts: new Counter({ name: 'netmap_informer_restarts_total', help: 'Informers restarted after an error, by resource', labelNames: ['resource'], registers }),
    leader: new Gauge({ name: 'netmap_leader', help: '1 while this replica holds the leader lease', registers }),
    evictions: new Counter({ name: 'netmap_evictions_total', help: 'Entries dropped from a bounded map before they aged out, by map (docs/operator.md, Bounds)', labelNames: ['map'], registers }),
  };
}
