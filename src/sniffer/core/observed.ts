import type { ConnectionSource } from '../../crds/network-observation.js';

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

export interface ObservationSink {
  dnsAnswer(answer: ObservedDnsAnswer): void;
  connection(connection: ObservedConnection): void;
}
