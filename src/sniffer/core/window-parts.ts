import { observationBounds } from '../../crds/bounds.js';
import type {
  ConnectionRecord, DnsAnswerRecord, HttpOverflowRecord, HttpRequestRecord, NetworkObservationSpec,
} from '../../crds/network-observation.js';
import { observationObjectName } from './object-names.js';
import type { ObservationWindow } from './observation-window.js';

/** One NetworkObservation to write: a part of a closed window. */
export interface ObservationPart {
  readonly name: string;
  readonly spec: NetworkObservationSpec;
  /** Observation events carried by this part, for exact accounting if it is ever dropped. */
  readonly events: { dnsAnswer: number; connection: number; httpRequest: number };
}

export interface SplitOptions {
  /**
   * Upper bound of a part's records as JSON. The API server takes requests up to 3 MiB and etcd
   * objects up to about 1.5 MiB; the default leaves room for both and for metadata.
   */
  maxPartBytes?: number;
  bounds?: {
    dnsAnswersPerObject: number; connectionsPerObject: number; ipsPerDnsAnswer: number;
    httpRequestsPerObject?: number; httpOverflowPerObject?: number;
  };
}

export const defaultMaxPartBytes = 512 * 1024;

/**
 * Turns a window into NetworkObservation specs that each respect the schema's bounds and a byte
 * budget. Records are sorted, so a window always splits the same way.
 */
export function splitWindow(window: ObservationWindow, nodeName: string, options: SplitOptions = {}): ObservationPart[] {
  const maxBytes = options.maxPartBytes ?? defaultMaxPartBytes;
  const bounds = options.bounds ?? observationBounds;
  const windowStart = iso(window.start);
  const windowEnd = iso(Math.max(window.start, window.end));
  const parts: ObservationPart[] = [];
  let dnsAnswers: DnsAnswerRecord[] = [];
  let connections: ConnectionRecord[] = [];
  let httpRequests: HttpRequestRecord[] = [];
  let httpOverflow: HttpOverflowRecord[] = [];
  let bytes = 0;
  let events = { dnsAnswer: 0, connection: 0, httpRequest: 0 };
  const httpPerObject = bounds.httpRequestsPerObject ?? observationBounds.httpRequestsPerObject;
  const overflowPerObject = bounds.httpOverflowPerObject ?? observationBounds.httpOverflowPerObject;

  const flush = (): void => {
    if (dnsAnswers.length === 0 && connections.length === 0 && httpRequests.length === 0 && httpOverflow.length === 0) return;
    // The HTTP lists only when there is something in them: objects without HTTP capture stay as before.
    const spec: NetworkObservationSpec = {
      nodeName, windowStart, windowEnd, dnsAnswers, connections,
      ...(httpRequests.length > 0 ? { httpRequests } : {}),
      ...(httpOverflow.length > 0 ? { httpOverflow } : {}),
    };
    parts.push({ name: observationObjectName(nodeName, window.start, parts.length), spec, events });
    dnsAnswers = [];
    connections = [];
    httpRequests = [];
    httpOverflow = [];
    bytes = 0;
    events = { dnsAnswer: 0, connection: 0, httpRequest: 0 };
  };

  for (const entry of sortedValues(window.dns)) {
    const ips = [...entry.ips].sort();
    for (let i = 0; i < ips.length; i += bounds.ipsPerDnsAnswer) {
      const record: DnsAnswerRecord = {
        clientIP: entry.clientIP,
        name: entry.name,
        ips: ips.slice(i, i + bounds.ipsPerDnsAnswer),
        ...(entry.cnames ? { cnames: entry.cnames.slice(0, observationBounds.cnamesPerDnsAnswer) } : {}),
        ttlSeconds: entry.ttlSeconds,
        firstSeen: iso(entry.firstSeen),
        lastSeen: iso(entry.lastSeen),
        count: entry.count,
      };
      const size = JSON.stringify(record).length + 1;
      if (dnsAnswers.length >= bounds.dnsAnswersPerObject || bytes + size > maxBytes) flush();
      dnsAnswers.push(record);
      bytes += size;
      // A name with more addresses than one record holds becomes several records; its events
      // are accounted once.
      if (i === 0) events.dnsAnswer += entry.count;
    }
  }
  for (const entry of sortedValues(window.connections)) {
    const record: ConnectionRecord = {
      clientIP: entry.clientIP,
      serverIP: entry.serverIP,
      serverPort: entry.serverPort,
      protocol: entry.protocol,
      sources: [...entry.sources].sort(),
      firstSeen: iso(entry.firstSeen),
      lastSeen: iso(entry.lastSeen),
      count: entry.count,
    };
    const size = JSON.stringify(record).length + 1;
    if (connections.length >= bounds.connectionsPerObject || bytes + size > maxBytes) flush();
    connections.push(record);
    bytes += size;
    events.connection += entry.count;
  }
  for (const entry of sortedValues(window.http)) {
    const record: HttpRequestRecord = {
      clientIP: entry.clientIP,
      serverIP: entry.serverIP,
      serverPort: entry.serverPort,
      path: entry.path,
      methods: [...entry.methods].sort() as HttpRequestRecord['methods'],
      firstSeen: iso(entry.firstSeen),
      lastSeen: iso(entry.lastSeen),
      count: entry.count,
    };
    const size = JSON.stringify(record).length + 1;
    if (httpRequests.length >= httpPerObject || bytes + size > maxBytes) flush();
    httpRequests.push(record);
    bytes += size;
    events.httpRequest += entry.count;
  }
  for (const entry of sortedValues(window.httpOverflow)) {
    const record: HttpOverflowRecord = { clientIP: entry.clientIP, serverIP: entry.serverIP, serverPort: entry.serverPort, count: entry.count };
    const size = JSON.stringify(record).length + 1;
    if (httpOverflow.length >= overflowPerObject || bytes + size > maxBytes) flush();
    httpOverflow.push(record);
    bytes += size;
    // Overflowed requests were counted as events when they arrived; accounted with the list.
    events.httpRequest += entry.count;
  }
  flush();
  return parts;
}

function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map.keys()].sort().map((key) => map.get(key)!);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
