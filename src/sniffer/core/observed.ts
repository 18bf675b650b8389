import type { ConnectionSource } from '../../crds/network-observation.js';
import type { RequestMethod } from './http/request-line.js';

/**
 * What the captures hand to the reporting side, one event at a time. The captures normalise
 * addresses (no zones, IPv4-mapped IPv6 written as IPv4) and names (lower case, no trailing dot)
 * so the reporting side can merge records by plain string keys.
 */
export interface ObservedDnsAnswer {
  /** The address the DNS response went to. */
  clientIP: string;
  /** The name the client asked for. */
  name: string;
  /** The A/AAAA answers for it (one event per response, all its addresses). */
  ips: string[];
  /** The CNAME chain after the asked name, in order; absent without CNAMEs. */
  cnames?: string[];
  ttlSeconds: number;
  /** Capture time, milliseconds since the epoch. */
  seenAt: number;
}

export interface ObservedConnection {
  clientIP: string;
  serverIP: string;
  serverPort: number;
  source: ConnectionSource;
  seenAt: number;
}

/** One plaintext HTTP/1.x request (HTTP capture, off by default). */
export interface ObservedHttpRequest {
  clientIP: string;
  /** As captured: before DNAT, so often a Service ClusterIP. */
  serverIP: string;
  serverPort: number;
  method: RequestMethod;
  /** Templated (src/sniffer/core/http/path-template.ts): no query, ids as `{*}`. */
  path: string;
  seenAt: number;
}

export interface ObservationSink {
  dnsAnswer(answer: ObservedDnsAnswer): void;
  connection(connection: ObservedConnection): void;
  /** Only the HTTP capture calls it (off by default); the ObservationBuffer has it. */
  httpRequest?(request: ObservedHttpRequest): void;
}
