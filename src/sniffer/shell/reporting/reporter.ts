import type { Clock, TimerHandle } from '../../../shared/core/clock.js';
import { errorFields, type Logger } from '../../../shared/logger.js';
import { systemClock } from '../../../shared/shell/system-clock.js';
import { backoffDelayMs, defaultBackoff, type BackoffOptions } from '../../core/backoff.js';
import type { DropReason, ObservationBuffer, RecordKind } from '../../core/observation-buffer.js';
import { errorCode } from './api-errors.js';
import type { BacklogCheck } from './backlog-check.js';
import { RejectedPartError, type ObservationWriter } from './observation-writer.js';
import type { ReportingMetrics } from './reporting-metrics.js';

export interface ReporterOptions {
  buffer: ObservationBuffer;
  writer: ObservationWriter;
  backlog: BacklogCheck;
  metrics: ReportingMetrics;
  logger: Logger;
  windowMs: number;
  /** Stop creating objects while this many of this node's objects are unprocessed. */
  maxPendingObjects: number;
  backoff?: BackoffOptions;
  /** How long the final flush may take at shutdown. */
  flushTimeoutMs?: number;
  /** Times the windows, the retries and the flush deadline (tests move it instead of sleeping). */
  clock?: Clock;
}

export interface Reporter {
  /** Whether the API server answered the last request (writes or backlog check); checked from the start. */
  readonly connected: boolean;
  /** Closes the open window now and writes it (ignoring the backlog), dropping what cannot be written in time. */
  stop(): Promise<void>;
}

/**
 * Closes a window every `windowMs` and writes what is unsent. While the API server fails it
 * retries with backoff; while the operator lags behind it stops creating objects. In both cases
 * the closing windows merge in the buffer, which bounds the memory.
 */
export function startReporter(options: ReporterOptions): Reporter {
  const { buffer, writer, backlog, metrics, logger } = options;
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const backoff = options.backoff ?? defaultBackoff;
  let failures = 0;
  let paused = false;
  let connected = false;
  let stopping = false;
  let draining: Promise<void> | undefined;
  let retryTimer: TimerHandle | undefined;

  metrics.windowSeconds.set(options.windowMs / 1000);
  metrics.backlogPaused.set(0);
  metrics.watchBuffer(buffer);

  // Re-armed after each window rather than an interval: a clock's timers are one-shot.
  let windowTimer: TimerHandle = clock.setTimeout(function closeWindow() {
    buffer.closeWindow(now());
    logDrops();
    kick();
    windowTimer = clock.setTimeout(closeWindow, options.windowMs);
  }, options.windowMs);

  setImmediate(kick);

  function kick(): void {
    if (stopping || draining || retryTimer) return;
    draining = drain(false).finally(() => {
      draining = undefined;
    });
  }

  async function drain(final: boolean): Promise<void> {
    while (!stopping || final) {
      try {
        if (!buffer.hasBatch) {
          if (!buffer.hasUnsent) {
            // Nothing to write, but readiness should tell whether we could (API server, CRD, RBAC).
            if (!connected && !final) await backlogFull();
            return;
          }
          if (!final && (await backlogFull())) return;
          buffer.nextBatch();
        }
        const part = buffer.nextBatch()?.parts[0];
        if (!part) return;
        await writePart(part);
        failures = 0;
        connected = true;
      } catch (error) {
        failures += 1;
        connected = false;
        metrics.writeErrors.inc({ code: errorCode(error) });
        const delayMs = backoffDelayMs(failures, backoff);
        logger.warn('API server request failed; records stay buffered', { ...errorFields(error), failures, retryInMs: delayMs, bufferedBytes: buffer.bytes });
        if (final) throw error;
        retryTimer = clock.setTimeout(() => {
          retryTimer = undefined;
          kick();
        }, delayMs);
        return;
      }
    }
  }

  async function writePart(part: Parameters<ObservationWriter['write']>[0]): Promise<void> {
    try {
      await writer.write(part);
      buffer.partWritten();
    } catch (error) {
      if (!(error instanceof RejectedPartError)) throw error;
      metrics.writeErrors.inc({ code: String(error.code) });
      logger.error('NetworkObservation rejected by the API server; its records are dropped', {
        ...errorFields(error),
        name: part.name,
        dnsAnswerEvents: part.events.dnsAnswer,
        connectionEvents: part.events.connection,
      });
      buffer.partRejected();
    }
  }

  async function backlogFull(): Promise<boolean> {
    const unprocessed = await backlog.unprocessed(options.maxPendingObjects);
    connected = true;
    failures = 0;
    metrics.unprocessedObjects.set(unprocessed);
    const full = unprocessed >= options.maxPendingObjects;
    if (full !== paused) {
      paused = full;
      metrics.backlogPaused.set(full ? 1 : 0);
      if (full) logger.warn('too many unprocessed NetworkObservations; merging windows in memory', { unprocessed, maxPendingObjects: options.maxPendingObjects });
      else logger.info('backlog shrank; writing again', { unprocessed, maxPendingObjects: options.maxPendingObjects });
    }
    return full;
  }

  /* Drops are counted as they happen; the log gets one line per kind and reason per window. */
  const dropsLogged = { dnsAnswer: zero(), connection: zero(), httpRequest: zero() };
  function logDrops(): void {
    const drops = buffer.drops;
    for (const kind of ['dnsAnswer', 'connection', 'httpRequest'] as RecordKind[]) {
      for (const reason of Object.keys(drops[kind]) as DropReason[]) {
        const dropped = drops[kind][reason] - dropsLogged[kind][reason];
        if (dropped === 0) continue;
        dropsLogged[kind][reason] = drops[kind][reason];
        logger.warn('observation events dropped', { kind, reason, dropped, bufferedBytes: buffer.bytes });
      }
    }
  }

  return {
    get connected() {
      return connected;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clock.clearTimeout(windowTimer);
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
      retryTimer = undefined;
      // One deadline for all of it, including a request in flight: the pod's grace period is short.
      const deadline = now() + (options.flushTimeoutMs ?? 10_000);
      const untilDeadline = <T>(work: Promise<T>): Promise<T | void> => {
        let timer: TimerHandle;
        const expired = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, Math.max(0, deadline - now()))));
        return Promise.race([work, expired]).finally(() => clock.clearTimeout(timer));
      };
      await untilDeadline(draining ?? Promise.resolve());
      buffer.closeWindow(now());
      while (buffer.hasUnsent && now() < deadline) {
        try {
          await untilDeadline(drain(true));
        } catch {
          await untilDeadline(new Promise<void>((resolve) => clock.setTimeout(resolve, backoffDelayMs(failures, backoff))));
        }
      }
      if (buffer.hasUnsent) {
        logger.error('could not write everything before the flush deadline; the rest is dropped', { bufferedBytes: buffer.bytes });
        buffer.discardAll('shutdown');
      }
      logDrops();
    },
  };
}

function zero(): Record<DropReason, number> {
  return { invalid: 0, memory: 0, rejected: 0, shutdown: 0 };
}
