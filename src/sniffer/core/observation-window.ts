import { intentsBounds } from '../../crds/bounds.js';
import type { ConnectionSource } from '../../crds/network-observation.js';
import type { ObservedConnection, ObservedDnsAnswer, ObservedHttpRequest } from './observed.js';

export interface DnsEntry {
  readonly clientIP: string;
  readonly name: string;
  /** Few per name as a rule: an array costs far less memory than a Set. */
  readonly ips: string[];
  /** The CNAME chain of the first response with one (a name's chain rarely changes within a window). */
  cnames?: string[];
  ttlSeconds: number;
  firstSeen: number;
  lastSeen: number;
  /** How many responses were merged into this entry. */
  count: number;
}

export interface ConnectionEntry {
  readonly clientIP: string;
  readonly serverIP: string;
  readonly serverPort: number;
  readonly protocol: 'TCP';
  readonly sources: ConnectionSource[];
  firstSeen: number;
  lastSeen: number;
  count: number;
}

export interface HttpEntry {
  readonly clientIP: string;
  readonly serverIP: string;
  readonly serverPort: number;
  readonly path: string;
  /** Sorted when split into parts; few per path. */
  readonly methods: string[];
  firstSeen: number;
  lastSeen: number;
  count: number;
}

export interface HttpOverflowEntry {
  readonly clientIP: string;
  readonly serverIP: string;
  readonly serverPort: number;
  count: number;
}

/**
 * Distinct paths per server (address and port, across clients) a window keeps; requests to
 * further paths are counted per server (`httpOverflow`) and reported as such, never dropped
 * silently; the overflow is counted per client of that server. The same number bounds a
 * ClientIntents target's http list.
 */
export const maxHttpPathsPerServer = intentsBounds.httpPerTarget;

/*
 * Approximate heap per entry (key, strings, object, Map slot), calibrated against V8's measured
 * heap by bench/sniffer-reporting/buffer.bench.ts so that it errs on the high side (estimate /
 * heap 1.1-1.3). Only used to enforce the buffer bound.
 */
const dnsEntryBytes = 320;
const bytesPerIp = 64;
const connectionEntryBytes = 460;
/** Not calibrated by the buffer benchmark: a connection entry's cost plus its path, doubled for the per-server path set. */
const httpEntryBytes = 560;
const httpOverflowEntryBytes = 300;

/**
 * The records of one time window (or of several unsent windows merged), deduplicated: DNS answers
 * by (client IP, name), connections by (client IP, server IP, server port, protocol).
 */
export class ObservationWindow {
  readonly dns = new Map<string, DnsEntry>();
  readonly connections = new Map<string, ConnectionEntry>();
  readonly http = new Map<string, HttpEntry>();
  readonly httpOverflow = new Map<string, HttpOverflowEntry>();
  /** Server key -> its distinct paths in this window (for the cap). */
  private readonly pathsByServer = new Map<string, Set<string>>();
  private estimatedBytes = 0;
  private dnsEvents = 0;
  private connectionEvents = 0;
  private httpEvents = 0;

  constructor(
    public start: number,
    public end: number = start,
  ) {}

  get bytes(): number {
    return this.estimatedBytes;
  }

  get isEmpty(): boolean {
    return this.dns.size === 0 && this.connections.size === 0 && this.http.size === 0 && this.httpOverflow.size === 0;
  }

  /** Observation events merged into this window, by kind. */
  get events(): { dnsAnswer: number; connection: number; httpRequest: number } {
    return { dnsAnswer: this.dnsEvents, connection: this.connectionEvents, httpRequest: this.httpEvents };
  }

  /**
   * How many bytes adding this answer would cost (0 when it only bumps counters). `key` is
   * dnsKey(answer), passed by callers that go on to add the answer, so it is built once.
   */
  dnsGrowth(answer: ObservedDnsAnswer, key: string = dnsKey(answer)): number {
    const entry = this.dns.get(key);
    if (!entry) return dnsBytes(answer.clientIP, answer.name, answer.ips, answer.cnames);
    let growth = entry.cnames || !answer.cnames ? 0 : cnameBytes(answer.cnames);
    for (const ip of answer.ips) if (!entry.ips.includes(ip)) growth += bytesPerIp + ip.length;
    return growth;
  }

  addDns(answer: ObservedDnsAnswer, key: string = dnsKey(answer)): void {
    this.estimatedBytes += this.dnsGrowth(answer, key);
    this.dnsEvents += 1;
    const entry = this.dns.get(key);
    if (!entry) {
      this.dns.set(key, {
        clientIP: answer.clientIP,
        name: answer.name,
        ips: answer.ips.length === 1 ? [...answer.ips] : [...new Set(answer.ips)],
        ttlSeconds: answer.ttlSeconds,
        firstSeen: answer.seenAt,
        lastSeen: answer.seenAt,
        count: 1,
        ...(answer.cnames ? { cnames: [...answer.cnames] } : {}),
      });
      return;
    }
    if (!entry.cnames && answer.cnames) entry.cnames = [...answer.cnames];
    for (const ip of answer.ips) if (!entry.ips.includes(ip)) entry.ips.push(ip);
    entry.ttlSeconds = Math.max(entry.ttlSeconds, answer.ttlSeconds);
    entry.firstSeen = Math.min(entry.firstSeen, answer.seenAt);
    entry.lastSeen = Math.max(entry.lastSeen, answer.seenAt);
    entry.count += 1;
  }

  connectionGrowth(connection: ObservedConnection, key: string = connectionKey(connection)): number {
    return this.connections.has(key) ? 0 : connectionBytes(connection);
  }

  addConnection(connection: ObservedConnection, key: string = connectionKey(connection)): void {
    this.estimatedBytes += this.connectionGrowth(connection, key);
    this.connectionEvents += 1;
    const entry = this.connections.get(key);
    if (!entry) {
      this.connections.set(key, {
        clientIP: connection.clientIP,
        serverIP: connection.serverIP,
        serverPort: connection.serverPort,
        protocol: 'TCP',
        sources: [connection.source],
        firstSeen: connection.seenAt,
        lastSeen: connection.seenAt,
        count: 1,
      });
      return;
    }
    if (!entry.sources.includes(connection.source)) entry.sources.push(connection.source);
    entry.firstSeen = Math.min(entry.firstSeen, connection.seenAt);
    entry.lastSeen = Math.max(entry.lastSeen, connection.seenAt);
    entry.count += 1;
  }

  httpGrowth(request: ObservedHttpRequest, key: string = httpKey(request)): number {
    if (this.http.has(key)) return 0;
    const serverKey = serverKeyOf(request);
    const paths = this.pathsByServer.get(serverKey);
    if (paths && !paths.has(request.path) && paths.size >= maxHttpPathsPerServer) {
      return this.httpOverflow.has(`${request.clientIP} ${serverKey}`) ? 0 : httpOverflowEntryBytes;
    }
    return httpBytes(request);
  }

  addHttp(request: ObservedHttpRequest, key: string = httpKey(request)): void {
    this.estimatedBytes += this.httpGrowth(request, key);
    this.httpEvents += 1;
    this.mergeHttp(key, {
      clientIP: request.clientIP, serverIP: request.serverIP, serverPort: request.serverPort, path: request.path,
      methods: [request.method], firstSeen: request.seenAt, lastSeen: request.seenAt, count: 1,
    });
  }

  /** Adds or merges an entry, or counts it as overflow when its server has too many paths. Bytes are the caller's. */
  private mergeHttp(key: string, theirs: HttpEntry): void {
    const ours = this.http.get(key);
    if (ours) {
      for (const method of theirs.methods) if (!ours.methods.includes(method)) ours.methods.push(method);
      ours.firstSeen = Math.min(ours.firstSeen, theirs.firstSeen);
      ours.lastSeen = Math.max(ours.lastSeen, theirs.lastSeen);
      ours.count += theirs.count;
      return;
    }
    const serverKey = serverKeyOf(theirs);
    let paths = this.pathsByServer.get(serverKey);
    if (!paths) {
      paths = new Set();
      this.pathsByServer.set(serverKey, paths);
    }
    if (!paths.has(theirs.path) && paths.size >= maxHttpPathsPerServer) {
      this.countOverflow(theirs.clientIP, theirs.serverIP, theirs.serverPort, theirs.count);
      return;
    }
    paths.add(theirs.path);
    this.http.set(key, theirs);
  }

  /** Overflow is counted per client of the server, so the operator can show it on that client's target. */
  private countOverflow(clientIP: string, serverIP: string, serverPort: number, count: number): void {
    const key = `${clientIP} ${serverIP} ${serverPort}`;
    const entry = this.httpOverflow.get(key);
    if (entry) entry.count += count;
    else this.httpOverflow.set(key, { clientIP, serverIP, serverPort, count });
  }

  /** Takes one record out again (it was reported recently, see RereportFilter). */
  dropDns(key: string): void {
    const entry = this.dns.get(key);
    if (!entry) return;
    this.dns.delete(key);
    this.estimatedBytes -= dnsBytes(entry.clientIP, entry.name, entry.ips);
    this.dnsEvents -= entry.count;
  }

  dropConnection(key: string): void {
    const entry = this.connections.get(key);
    if (!entry) return;
    this.connections.delete(key);
    this.estimatedBytes -= connectionBytes(entry);
    this.connectionEvents -= entry.count;
  }

  dropHttp(key: string): void {
    const entry = this.http.get(key);
    if (!entry) return;
    this.http.delete(key);
    this.estimatedBytes -= httpBytes(entry);
    this.httpEvents -= entry.count;
  }

  /** Moves every record of `other` into this window; `other` must not be used afterwards. */
  absorb(other: ObservationWindow): void {
    this.start = Math.min(this.start, other.start);
    this.end = Math.max(this.end, other.end);
    this.dnsEvents += other.dnsEvents;
    this.connectionEvents += other.connectionEvents;
    this.httpEvents += other.httpEvents;
    for (const [key, theirs] of other.http) {
      const entries = this.http.size;
      const overflows = this.httpOverflow.size;
      this.mergeHttp(key, theirs);
      if (this.http.size > entries) this.estimatedBytes += httpBytes(theirs);
      if (this.httpOverflow.size > overflows) this.estimatedBytes += httpOverflowEntryBytes;
    }
    for (const [key, theirs] of other.httpOverflow) {
      if (!this.httpOverflow.has(key)) this.estimatedBytes += httpOverflowEntryBytes;
      this.countOverflow(theirs.clientIP, theirs.serverIP, theirs.serverPort, theirs.count);
    }
    for (const [key, theirs] of other.dns) {
      const ours = this.dns.get(key);
      if (!ours) {
        this.dns.set(key, theirs);
        this.estimatedBytes += dnsBytes(theirs.clientIP, theirs.name, theirs.ips, theirs.cnames);
        continue;
      }
      if (!ours.cnames && theirs.cnames) {
        ours.cnames = theirs.cnames;
        this.estimatedBytes += cnameBytes(theirs.cnames);
      }
      for (const ip of theirs.ips) {
        if (ours.ips.includes(ip)) continue;
        ours.ips.push(ip);
        this.estimatedBytes += bytesPerIp + ip.length;
      }
      ours.ttlSeconds = Math.max(ours.ttlSeconds, theirs.ttlSeconds);
      ours.firstSeen = Math.min(ours.firstSeen, theirs.firstSeen);
      ours.lastSeen = Math.max(ours.lastSeen, theirs.lastSeen);
      ours.count += theirs.count;
    }
    for (const [key, theirs] of other.connections) {
      const ours = this.connections.get(key);
      if (!ours) {
        this.connections.set(key, theirs);
        this.estimatedBytes += connectionBytes(theirs);
        continue;
      }
      for (const source of theirs.sources) if (!ours.sources.includes(source)) ours.sources.push(source);
      ours.firstSeen = Math.min(ours.firstSeen, theirs.firstSeen);
      ours.lastSeen = Math.max(ours.lastSeen, theirs.lastSeen);
      ours.count += theirs.count;
    }
  }
}

export function dnsKey(answer: { clientIP: string; name: string }): string {
  return `${answer.clientIP} ${answer.name}`;
}

export function connectionKey(c: { clientIP: string; serverIP: string; serverPort: number }): string {
  return `${c.clientIP} ${c.serverIP} ${c.serverPort} TCP`;
}

export function httpKey(r: { clientIP: string; serverIP: string; serverPort: number; path: string }): string {
  return `${r.clientIP} ${r.serverIP} ${r.serverPort} ${r.path}`;
}

function serverKeyOf(r: { serverIP: string; serverPort: number }): string {
  return `${r.serverIP} ${r.serverPort}`;
}

function httpBytes(r: { clientIP: string; serverIP: string; path: string }): number {
  return httpEntryBytes + r.clientIP.length + r.serverIP.length + 2 * r.path.length;
}

function dnsBytes(clientIP: string, name: string, ips: Iterable<string>, cnames?: readonly string[]): number {
  let bytes = dnsEntryBytes + clientIP.length + 2 * name.length;
  for (const ip of new Set(ips)) bytes += bytesPerIp + ip.length;
  return cnames ? bytes + cnameBytes(cnames) : bytes;
}

/** A chain is an array of names: priced like that many addresses plus their text. */
function cnameBytes(cnames: readonly string[]): number {
  let bytes = 0;
  for (const name of cnames) bytes += bytesPerIp + name.length;
  return bytes;
}

function connectionBytes(c: { clientIP: string; serverIP: string }): number {
  return connectionEntryBytes + c.clientIP.length + c.serverIP.length;
}
