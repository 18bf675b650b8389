import type { NetworkObservationSpec } from '../../src/crds/network-observation.js';

/**
 * The benchmark's cluster and traffic, shared by the pure-core and the control-plane benchmark:
 * `workloads` Deployments of `podsPerWorkload` pods in 10 namespaces, one Service each, and
 * `records` observation records (60% SYNs to ClusterIPs, 20% socket-scan connections to pod
 * IPs, 10% DNS answers for Service names, 10% connections to unknown external IPs), packed into
 * NetworkObservations of the schema's maximum size. Deterministic (fixed seed).
 */
export interface SyntheticWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly podIps: readonly string[];
  readonly serviceIp: string;
}

export interface SyntheticCluster {
  readonly workloads: readonly SyntheticWorkload[];
  readonly observations: readonly NetworkObservationSpec[];
  readonly records: number;
}

export function podIp(i: number): string {
  return `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export function serviceIp(w: number): string {
  return `10.96.${100 + Math.floor(w / 250)}.${(w % 250) + 1}`;
}

export function syntheticCluster(options: { workloads: number; podsPerWorkload: number; records: number; at: number }): SyntheticCluster {
  const { workloads: count, podsPerWorkload, records, at } = options;
  const pods = count * podsPerWorkload;
  const workloads: SyntheticWorkload[] = [];
  for (let w = 0; w < count; w++) {
    const podIps = Array.from({ length: podsPerWorkload }, (_, p) => podIp(w * podsPerWorkload + p));
    workloads.push({ namespace: `bench-${w % 10}`, name: `app-${w}`, podIps, serviceIp: serviceIp(w) });
  }
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const iso = (ms: number): string => new Date(ms).toISOString();
  const observations: NetworkObservationSpec[] = [];
  let current: NetworkObservationSpec | undefined;
  for (let r = 0; r < records; r++) {
    if (!current || current.connections.length + current.dnsAnswers.length >= 2000) {
      current = { nodeName: `node-${observations.length % 10}`, windowStart: iso(at - 10_000), windowEnd: iso(at), dnsAnswers: [], connections: [] };
      observations.push(current);
    }
    const client = podIp(rand(pods));
    const server = rand(count);
    const seen = iso(at - rand(10_000));
    const kind = r % 10;
    const base = { firstSeen: seen, lastSeen: seen, count: 1 };
    if (kind < 6) current.connections.push({ clientIP: client, serverIP: serviceIp(server), serverPort: 8080, protocol: 'TCP', sources: ['SYN'], ...base });
    else if (kind < 8) current.connections.push({ clientIP: client, serverIP: podIp(rand(pods)), serverPort: 8080, protocol: 'TCP', sources: ['SocketScan'], ...base });
    else if (kind < 9 && current.dnsAnswers.length < 500) current.dnsAnswers.push({ clientIP: client, name: `app-${server}.bench-${server % 10}.svc.cluster.local`, ips: [serviceIp(server)], ttlSeconds: 30, ...base });
    else current.connections.push({ clientIP: client, serverIP: `203.0.${rand(4)}.${rand(250) + 1}`, serverPort: 443, protocol: 'TCP', sources: ['SYN'], ...base });
  }
  return { workloads, observations, records };
}
