/**
 * Size bounds shared by the schemas and by the code that fills them. The sniffer splits its
 * windows by these numbers, so an object it writes never reaches the API server's limits
 * (etcd stores at most ~1.5 MiB per object); the worst case below stays under 1 MiB.
 */
export const observationBounds = {
  dnsAnswersPerObject: 500,
  connectionsPerObject: 2000,
  ipsPerDnsAnswer: 16,
  /** The sniffer's decoder follows at most 16 CNAME hops. */
  cnamesPerDnsAnswer: 16,
  /** HTTP request records (client, server, port, templated path), HTTP capture only. */
  httpRequestsPerObject: 2000,
  /** (client, server) pairs whose requests went to paths past the sniffer's per-server cap. */
  httpOverflowPerObject: 500,
  /** The templated path (src/sniffer/core/http/path-template.ts); ClientIntents allows 1024. */
  httpPathLength: 512,
  unresolvedReasons: 32,
  messageLength: 1024,
} as const;

/**
 * The API server refuses a CRD whose CEL rules could cost too much in the worst case
 * (items x rule cost), so the IP lists stay short enough for their isIP/isCIDR rules.
 */
export const intentsBounds = {
  targetsPerWorkload: 1024,
  domainsPerTarget: 256,
  ipsPerTarget: 64,
  portsPerTarget: 64,
  httpPerTarget: 64,
  methodsPerHttp: 9,
  topicsPerTarget: 256,
  resolvedIPsEntries: 512,
} as const;

/** RFC 1123 DNS name length; also the longest Kubernetes object name. */
export const maxDnsNameLength = 253;
/** Longest textual IPv6 address (with an embedded IPv4 tail). */
export const maxIpLength = 45;
