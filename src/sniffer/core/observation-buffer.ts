import { connectionSources, observedHttpMethods } from '../../crds/network-observation.js';
import { observationBounds } from '../../crds/bounds.js';
import { dnsName, isPlainIp } from '../../crds/fields.js';
import type { ObservationSink, ObservedConnection, ObservedDnsAnswer, ObservedHttpRequest } from './observed.js';
import { connectionKey, dnsKey, httpKey, ObservationWindow } from './observation-window.js';
import { RereportFilter, type RereportOptions } from './rereport-filter.js';
import { splitWindow, type ObservationPart, type SplitOptions } from './window-parts.js';

export type RecordKind = 'dnsAnswer' | 'connection' | 'httpRequest';
/**
 * Why observation events were dropped: `invalid` input from a capture, `memory` beyond the buffer
 * bound, `rejected` by the API server as invalid (never retried), `shutdown` still unwritten when
 * the process had to exit.
 */
export type DropReason = 'invalid' | 'memory' | 'rejected' | 'shutdown';

export interface ObservationBufferOptions extends SplitOptions {
  nodeName: string;
  /** Bound of everything held: the open window, the merged unsent windows and the batch being written. */
  maxBytes: number;
  /** When the first window opens, milliseconds since the epoch. */
  startMs: number;
  onDrop?: (kind: RecordKind, reason: DropReason, events: number) => void;
  /** Records reported within this interval are not sent again (absent: every window sends all). */
  rereport?: RereportOptions;
}

/** A closed window split into parts; written in order, each part removed once written. */
export interface Batch {
  readonly windowStart: number;
  readonly parts: ObservationPart[];
}

/** RFC 2181: a TTL with the top bit set is treated as zero. */
const maxTtl = 2147483647;
/** Timestamps the schema's date-time accepts (years 1970 to 9999). */
const maxTimestampMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Everything the sniffer has seen and not yet written, in three stages: the open window, the
 * unsent windows merged into one (`pending`), and the batch being written. A batch keeps its
 * parts and names until each is written, so a write whose response was lost is retried under the
 * same name; windows that close meanwhile merge into `pending` instead of piling up objects.
 */
export class ObservationBuffer implements ObservationSink {
  private current: ObservationWindow;
  private pending: ObservationWindow | undefined;
  private batch: Batch | undefined;
  private batchBytes: number[] = [];
  private batchTotalBytes = 0;
  private readonly dropped = { dnsAnswer: zeroReasons(), connection: zeroReasons(), httpRequest: zeroReasons() };
  private readonly rereport: RereportFilter | undefined;

  constructor(private readonly options: ObservationBufferOptions) {
    this.current = new ObservationWindow(options.startMs);
    this.rereport = options.rereport && new RereportFilter(options.rereport);
  }

  /** Records remembered as recently reported (bounded by the re-report options' maxRecords). */
  get rememberedRecords(): number {
    return this.rereport?.size ?? 0;
  }

  dnsAnswer(answer: ObservedDnsAnswer): void {
    const normalized = validDnsAnswer(answer);
    if (!normalized) return this.drop('dnsAnswer', 'invalid', 1);
    // One key per event, not one per lookup: this runs for every captured answer.
    const key = dnsKey(normalized);
    if (this.bytes + this.current.dnsGrowth(normalized, key) > this.options.maxBytes) return this.drop('dnsAnswer', 'memory', 1);
    this.current.addDns(normalized, key);
  }

  connection(connection: ObservedConnection): void {
    if (!isValidConnection(connection)) return this.drop('connection', 'invalid', 1);
    const key = connectionKey(connection);
    if (this.bytes + this.current.connectionGrowth(connection, key) > this.options.maxBytes) return this.drop('connection', 'memory', 1);
    this.current.addConnection(connection, key);
  }

  httpRequest(request: ObservedHttpRequest): void {
    if (!isValidHttpRequest(request)) return this.drop('httpRequest', 'invalid', 1);
    const key = httpKey(request);
    if (this.bytes + this.current.httpGrowth(request, key) > this.options.maxBytes) return this.drop('httpRequest', 'memory', 1);
    this.current.addHttp(request, key);
  }

  /** Closes the open window at `nowMs` (merging it into the unsent ones) and opens the next. */
  closeWindow(nowMs: number): void {
    const closed = this.current;
    closed.end = Math.max(closed.start, nowMs);
    this.current = new ObservationWindow(nowMs);
    this.rereport?.filter(closed, nowMs);
    if (closed.isEmpty) return;
    if (this.pending) this.pending.absorb(closed);
    else this.pending = closed;
  }

  /** The batch to write: the one in progress, or the unsent windows split into a new one. */
  nextBatch(): Batch | undefined {
    if (this.batch) return this.batch;
    if (!this.pending) return undefined;
    const window = this.pending;
    this.pending = undefined;
    const parts = splitWindow(window, this.options.nodeName, this.options);
    // The window's bytes are spread over its parts by their share of events, so that the bound
    // stays accounted for while the batch drains.
    const totalEvents = window.events.dnsAnswer + window.events.connection + window.events.httpRequest;
    this.batchBytes = parts.map((part) => Math.floor((window.bytes * (part.events.dnsAnswer + part.events.connection + part.events.httpRequest)) / Math.max(1, totalEvents)));
    const rest = window.bytes - this.batchBytes.reduce((sum, b) => sum + b, 0);
    if (this.batchBytes.length > 0) this.batchBytes[this.batchBytes.length - 1]! += rest;
    this.batchTotalBytes = window.bytes;
    this.batch = { windowStart: window.start, parts };
    return this.batch;
  }

  /** The first part of the batch was written (or already existed). */
  partWritten(): void {
    this.shiftPart();
  }

  /** The API server refused the first part as invalid: it will never be accepted, so it is dropped. */
  partRejected(): void {
    const part = this.shiftPart();
    if (part) this.dropPart(part, 'rejected');
  }

  /** Drops everything still held (the process is exiting and could not write it). */
  discardAll(reason: DropReason): void {
    for (const part of this.batch?.parts ?? []) this.dropPart(part, reason);
    this.batch = undefined;
    this.batchBytes = [];
    this.batchTotalBytes = 0;
    for (const window of [this.pending, this.current]) {
      if (!window) continue;
      this.drop('dnsAnswer', reason, window.events.dnsAnswer);
      this.drop('connection', reason, window.events.connection);
      this.drop('httpRequest', reason, window.events.httpRequest);
    }
    this.pending = undefined;
    this.current = new ObservationWindow(this.current.start);
  }

  get bytes(): number {
    return this.current.bytes + (this.pending?.bytes ?? 0) + this.batchTotalBytes;
  }

  /** Deduplicated records held, by kind (a batch counts its records as written). */
  get records(): { dnsAnswer: number; connection: number; httpRequest: number } {
    let dnsAnswer = this.current.dns.size + (this.pending?.dns.size ?? 0);
    let connection = this.current.connections.size + (this.pending?.connections.size ?? 0);
    let httpRequest = this.current.http.size + (this.pending?.http.size ?? 0);
    for (const part of this.batch?.parts ?? []) {
      dnsAnswer += part.spec.dnsAnswers.length;
      connection += part.spec.connections.length;
      httpRequest += part.spec.httpRequests?.length ?? 0;
    }
    return { dnsAnswer, connection, httpRequest };
  }

  /** A batch is being written: its parts must be written before anything else is split. */
  get hasBatch(): boolean {
    return this.batch !== undefined;
  }

  get hasUnsent(): boolean {
    return this.batch !== undefined || this.pending !== undefined;
  }

  /** Cumulative dropped events by kind and reason. */
  get drops(): Record<RecordKind, Record<DropReason, number>> {
    return { dnsAnswer: { ...this.dropped.dnsAnswer }, connection: { ...this.dropped.connection }, httpRequest: { ...this.dropped.httpRequest } };
  }

  private shiftPart(): ObservationPart | undefined {
    const part = this.batch?.parts.shift();
    this.batchTotalBytes -= this.batchBytes.shift() ?? 0;
    if (this.batch && this.batch.parts.length === 0) this.batch = undefined;
    return part;
  }

  private dropPart(part: ObservationPart, reason: DropReason): void {
    this.drop('dnsAnswer', reason, part.events.dnsAnswer);
    this.drop('connection', reason, part.events.connection);
    this.drop('httpRequest', reason, part.events.httpRequest);
  }

  private drop(kind: RecordKind, reason: DropReason, events: number): void {
    if (events <= 0) return;
    this.dropped[kind][reason] += events;
    this.options.onDrop?.(kind, reason, events);
  }
}

function zeroReasons(): Record<DropReason, number> {
  return { invalid: 0, memory: 0, rejected: 0, shutdown: 0 };
}

/** The answer as the schema accepts it, or undefined when a capture handed over something invalid. */
function validDnsAnswer(answer: ObservedDnsAnswer): ObservedDnsAnswer | undefined {
  if (!isPlainIp(answer.clientIP) || !dnsName.safeParse(answer.name).success || !isValidTime(answer.seenAt)) return undefined;
  if (!Array.isArray(answer.ips) || answer.ips.length === 0 || !answer.ips.every(isPlainIp)) return undefined;
  if (answer.cnames !== undefined && (!Array.isArray(answer.cnames) || answer.cnames.length === 0 || !answer.cnames.every((n) => dnsName.safeParse(n).success))) return undefined;
  if (!Number.isFinite(answer.ttlSeconds)) return undefined;
  const ttl = Math.floor(answer.ttlSeconds);
  const ttlSeconds = ttl < 0 || ttl > maxTtl ? 0 : ttl;
  return ttlSeconds === answer.ttlSeconds ? answer : { ...answer, ttlSeconds };
}

function isValidConnection(c: ObservedConnection): boolean {
  return (
    isPlainIp(c.clientIP) &&
    isPlainIp(c.serverIP) &&
    Number.isInteger(c.serverPort) &&
    c.serverPort >= 1 &&
    c.serverPort <= 65535 &&
    (connectionSources as readonly string[]).includes(c.source) &&
    isValidTime(c.seenAt)
  );
}

function isValidHttpRequest(r: ObservedHttpRequest): boolean {
  return (
    isPlainIp(r.clientIP) &&
    isPlainIp(r.serverIP) &&
    Number.isInteger(r.serverPort) &&
    r.serverPort >= 1 &&
    r.serverPort <= 65535 &&
    (observedHttpMethods as readonly string[]).includes(r.method) &&
    typeof r.path === 'string' &&
    r.path.length <= observationBounds.httpPathLength &&
    /^\/[\x21-\x7e]*$/.test(r.path) &&
    isValidTime(r.seenAt)
  );
}

function isValidTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0 && ms <= maxTimestampMs;
}
