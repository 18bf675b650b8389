import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ReportingMetrics {
  droppedRecords: Counter<'kind' | 'reason'>;
  objectsWritten: Counter<'result'>;
  writeErrors: Counter<'code'>;
  writeSeconds: Histogram;
  bufferedRecords: Gauge<'kind'>;
  bufferedBytes: Gauge;
  windowSeconds: Gauge;
  unprocessedObjects: Gauge;
  backlogPaused: Gauge;
  evictions: Counter<'map'>;
  /** Buffer gauges read the buffer at scrape time. */
  watchBuffer(buffer: BufferView): void;
}

export interface BufferView {
  readonly bytes: number;
  readonly records: { dnsAnswer: number; connection: number; httpRequest?: number };
}

export function createReportingMetrics(registry: Registry): ReportingMetrics {
  const registers = [registry];
  let buffer: BufferView | undefined;
  return {
    watchBuffer: (view) => {
      buffer = view;
    },
    droppedRecords: new Counter({
      name: 'netmap_sniffer_dropped_records_total',
      help: 'Observation events dropped, by kind (dnsAnswer, connection, httpRequest) and reason (invalid, memory, rejected, shutdown).',
      labelNames: ['kind', 'reason'],
      registers,
    }),
    objectsWritten: new Counter({
      name: 'netmap_sniffer_objects_written_total',
      help: 'NetworkObservations written: created, or found already created by an earlier attempt.',
      labelNames: ['result'],
      registers,
    }),
    writeErrors: new Counter({
      name: 'netmap_sniffer_write_errors_total',
      help: 'Failed API requests of the reporting loop, by HTTP status code (or network, timeout).',
      labelNames: ['code'],
      registers,
    }),
    writeSeconds: new Histogram({
      name: 'netmap_sniffer_write_seconds',
      help: 'Duration of one NetworkObservation create request.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    bufferedRecords: new Gauge({
      name: 'netmap_sniffer_buffered_records',
      help: 'Deduplicated records held in memory and not yet written, by kind.',
      labelNames: ['kind'],
      registers,
      collect() {
        if (!buffer) return;
        const records = buffer.records;
        this.set({ kind: 'dnsAnswer' }, records.dnsAnswer);
        this.set({ kind: 'connection' }, records.connection);
        if (records.httpRequest !== undefined) this.set({ kind: 'httpRequest' }, records.httpRequest);
      },
    }),
    bufferedBytes: new Gauge({
      name: 'netmap_sniffer_buffered_bytes',
      help: 'Estimated memory held by records not yet written (bounded by MAX_BUFFER_BYTES).',
      registers,
      collect() {
        if (buffer) this.set(buffer.bytes);
      },
    }),
    windowSeconds: new Gauge({ name: 'netmap_sniffer_window_seconds', help: 'Length of one observation window.', registers }),
    unprocessedObjects: new Gauge({
      name: 'netmap_sniffer_unprocessed_objects',
      help: "This node's NetworkObservations not yet processed by the operator, as last counted (capped at the threshold).",
      registers,
    }),
    backlogPaused: new Gauge({
      name: 'netmap_sniffer_backlog_paused',
      help: '1 while the sniffer merges windows in memory because too many of its objects are unprocessed.',
      registers,
    }),
    evictions: new Counter({
      name: 'netmap_sniffer_evictions_total',
      help: 'Entries forgotten for a bound before they aged out, by map (reported: records remembered as recently reported).',
      labelNames: ['map'],
      registers,
    }),
  };
}
