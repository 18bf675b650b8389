import type { Registry } from 'prom-client';
import type { Clock } from '../../../shared/core/clock.js';
import type { Logger } from '../../../shared/logger.js';
import { systemClock } from '../../../shared/shell/system-clock.js';
import type { BackoffOptions } from '../../core/backoff.js';
import type { SnifferConfig } from '../../core/sniffer-config.js';
import { ObservationBuffer } from '../../core/observation-buffer.js';
import { defaultRereportMaxRecords } from '../../core/sniffer-config.js';
import type { KubeClient } from '../../../shared/kube/kube-client.js';
import { createBacklogCheck } from './backlog-check.js';
import { createObservationWriter } from './observation-writer.js';
import { startReporter, type Reporter } from './reporter.js';
import { createReportingMetrics } from './reporting-metrics.js';

export interface ReportingOptions {
  kube: KubeClient;
  namespace: string;
  nodeName: string;
  windowMs: number;
  maxBufferBytes: number;
  maxPendingObjects: number;
  /** A record already reported is sent again at most this often (0: every window). */
  rereportMs?: number;
  rereportMaxRecords?: number;
  registry: Registry;
  logger: Logger;
  requestTimeoutMs?: number;
  flushTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** The reporter's time and timers (windows, retries, flush deadline); the system clock by default. */
  clock?: Clock;
}

/** The reporting options that come from the sniffer's configuration. */
export function reportingOptionsFrom(config: SnifferConfig): Omit<ReportingOptions, 'kube' | 'registry' | 'logger' | 'backoff' | 'clock'> {
  return {
    namespace: config.POD_NAMESPACE,
    nodeName: config.NODE_NAME,
    windowMs: config.WINDOW_SECONDS * 1000,
    maxBufferBytes: config.MAX_BUFFER_BYTES,
    maxPendingObjects: config.MAX_PENDING_OBJECTS,
    rereportMs: config.REREPORT_SECONDS * 1000,
    rereportMaxRecords: config.REREPORT_MAX_RECORDS,
    requestTimeoutMs: config.API_TIMEOUT_SECONDS * 1000,
    flushTimeoutMs: config.FLUSH_TIMEOUT_SECONDS * 1000,
  };
}

export interface Reporting {
  /** Where the captures deliver what they see. */
  readonly buffer: ObservationBuffer;
  readonly reporter: Reporter;
}

/** The reporting side of the sniffer: a bounded buffer, written window by window to the API server. */
export function startReporting(options: ReportingOptions): Reporting {
  const { kube, namespace, nodeName, logger, requestTimeoutMs } = options;
  const metrics = createReportingMetrics(options.registry);
  const buffer = new ObservationBuffer({
    nodeName,
    maxBytes: options.maxBufferBytes,
    startMs: (options.clock ?? systemClock).now(),
    onDrop: (kind, reason, events) => metrics.droppedRecords.inc({ kind, reason }, events),
    rereport: options.rereportMs
      ? { intervalMs: options.rereportMs, maxRecords: options.rereportMaxRecords ?? defaultRereportMaxRecords, onEvict: (records) => metrics.evictions.inc({ map: 'reported' }, records) }
      : undefined,
  });
  const writer = createObservationWriter({ kube, namespace, nodeName, logger, metrics, requestTimeoutMs });
  const backlog = createBacklogCheck({ kube, namespace, nodeName, requestTimeoutMs });
  const reporter = startReporter({
    buffer,
    writer,
    backlog,
    metrics,
    logger,
    windowMs: options.windowMs,
    maxPendingObjects: options.maxPendingObjects,
    backoff: options.backoff,
    flushTimeoutMs: options.flushTimeoutMs,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { buffer, reporter };
}
