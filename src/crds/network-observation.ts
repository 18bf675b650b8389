import { z } from 'zod';
import { maxDnsNameLength, observationBounds as bounds } from './bounds.js';
import { count, dnsName, ipAddress, port, timestamp, ttlSeconds } from './fields.js';
import type { ResourceDefinition } from './resource-definition.js';
import { networkObservationResource } from './resource-names.js';

/** Which capture saw a connection: a TCP SYN, or the socket scan of /proc. */
export const connectionSources = ['SYN', 'SocketScan'] as const;
export const connectionSource = z.enum(connectionSources);

export const dnsAnswerRecord = z.strictObject({
  clientIP: ipAddress.describe('The address the DNS response was sent to.'),
  name: dnsName.describe('The name the client asked for (a CNAME chain is followed back to it).'),
  ips: z.array(ipAddress).min(1).max(bounds.ipsPerDnsAnswer),
  cnames: z.array(dnsName).min(1).max(bounds.cnamesPerDnsAnswer).optional()
    .describe('The names the answer\'s CNAME chain leads through after the asked name, in order (absent without CNAMEs).'),
  ttlSeconds,
  firstSeen: timestamp,
  lastSeen: timestamp,
  count,
});

export const connectionRecord = z.strictObject({
  clientIP: ipAddress,
  serverIP: ipAddress.describe('As captured: before DNAT, so often a Service ClusterIP.'),
  serverPort: port,
  protocol: z.enum(['TCP']),
  sources: z.array(connectionSource).min(1).max(connectionSources.length),
  firstSeen: timestamp,
  lastSeen: timestamp,
  count,
});

/** HTTP/1.x request methods the sniffer reads (HEAD too, which ClientIntents cannot name). */
export const observedHttpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;

export const httpRequestRecord = z.strictObject({
  clientIP: ipAddress,
  serverIP: ipAddress.describe('As captured: before DNAT, so often a Service ClusterIP.'),
  serverPort: port,
  path: z.string().min(1).max(bounds.httpPathLength).regex(/^\/[\x21-\x7e]*$/, 'must be a path of visible ASCII starting with /')
    .describe('Templated: no query string, id-like segments written as {*}.'),
  methods: z.array(z.enum(observedHttpMethods)).min(1).max(observedHttpMethods.length),
  firstSeen: timestamp,
  lastSeen: timestamp,
  count,
});

export const httpOverflowRecord = z.strictObject({
  clientIP: ipAddress,
  serverIP: ipAddress,
  serverPort: port,
  count: count.describe('Requests to paths beyond the per-server cap of distinct paths, left out of httpRequests.'),
});

export const networkObservationSpec = z.strictObject({
  nodeName: z.string().min(1).max(maxDnsNameLength),
  windowStart: timestamp,
  windowEnd: timestamp,
  dnsAnswers: z.array(dnsAnswerRecord).max(bounds.dnsAnswersPerObject).default([]),
  connections: z.array(connectionRecord).max(bounds.connectionsPerObject).default([]),
  httpRequests: z.array(httpRequestRecord).max(bounds.httpRequestsPerObject).optional(),
  httpOverflow: z.array(httpOverflowRecord).max(bounds.httpOverflowPerObject).optional(),
});

export const observationPhases = ['Pending', 'Processed', 'Invalid'] as const;

export const unresolvedCount = z.strictObject({
  reason: z.string().min(1).max(63),
  count,
});

export const networkObservationStatus = z.strictObject({
  phase: z.enum(observationPhases).optional(),
  processedAt: timestamp.optional(),
  message: z.string().max(bounds.messageLength).optional(),
  unresolved: z.array(unresolvedCount).max(bounds.unresolvedReasons).optional(),
});

export type DnsAnswerRecord = z.infer<typeof dnsAnswerRecord>;
export type ConnectionRecord = z.infer<typeof connectionRecord>;
export type ConnectionSource = z.infer<typeof connectionSource>;
export type HttpRequestRecord = z.infer<typeof httpRequestRecord>;
export type HttpOverflowRecord = z.infer<typeof httpOverflowRecord>;
export type NetworkObservationSpec = z.infer<typeof networkObservationSpec>;
export type NetworkObservationStatus = z.infer<typeof networkObservationStatus>;

export const networkObservationDefinition: ResourceDefinition = {
  ...networkObservationResource,
  kind: 'NetworkObservation',
  singular: 'networkobservation',
  shortNames: ['netobs'],
  categories: ['netmap'],
  scope: 'Namespaced',
  spec: networkObservationSpec,
  status: networkObservationStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Node', type: 'string', jsonPath: '.spec.nodeName' },
    { name: 'Window-Start', type: 'date', jsonPath: '.spec.windowStart' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  fileName: 'netmap.dev_networkobservations.yaml',
};
