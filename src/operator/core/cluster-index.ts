import { parseClusterName } from './cluster-dns.js';
import { defaultPodEndSlackMs, IpHistory, type HolderLookup } from './ip-history.js';
import { podPortsForServicePort } from './service-ports.js';
import { fail, ok, type EndpointSliceInfo, type PodInfo, type Resolution, type ServerTarget, type ServiceInfo, type UnresolvedReason, type WorkloadIdentity } from './types.js';

export const apiServerService = { namespace: 'default', name: 'kubernetes' } as const;
export const apiServerTargetName = 'kubernetes.default';
/** Where a cluster's resolvers answer: kube-dns/CoreDNS, node-local DNS, any DNS Service. */
export const dnsPort = 53;
const apiServerKey = `${apiServerService.namespace}/${apiServerService.name}`;

/** What the index derives from its Services and EndpointSlices, rebuilt when either changes. */
interface EndpointFacts {
  /** Endpoint IP -> the Service it serves (the API server's endpoints are kept apart). */
  readonly serviceByEndpointIp: Map<string, string>;
  /** `<ip> <port>` of the API server's endpoints (the `default/kubernetes` EndpointSlices). */
  readonly apiServerEndpoints: Set<string>;
  /** Endpoint IPs of Services that answer DNS (port 53 on the Service or on its endpoints). */
  readonly resolverIps: Set<string>;
  /** The workloads of those endpoints, so a resolver pod is known by its workload after a rollout. */
  readonly resolverWorkloads: Set<string>;
}

export interface ClusterIndexOptions {
  clusterDomain: string;
  /** How long pods that ended stay in the IP history. */
  ipHistoryRetentionMs: number;
  /** Bound of ended pods' IP tenures kept (IpHistory); default defaultMaxEndedTenures. */
  maxEndedTenures?: number;
  onEvict?: (map: 'ip-history', entries: number) => void;
}

/**
 * The cluster as the resolver sees it: pods with their workloads and IP history, Services by
 * ClusterIP, EndpointSlices, node IPs. Mutated by the shell's workers, read by resolution.
 */
export class ClusterIndex {
  readonly ipHistory: IpHistory;
  private readonly pods = new Map<string, { pod: PodInfo; identity: WorkloadIdentity | undefined }>();
  private readonly services = new Map<string, ServiceInfo>();
  private readonly serviceByIp = new Map<string, string>();
  private readonly slices = new Map<string, EndpointSliceInfo>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly nodeIps = new Map<string, readonly string[]>();
  private readonly nodeIpSet = new Set<string>();
  private readonly backendCache = new Map<string, { version: number; target: ServerTarget }>();
  private endpointFactsCache: { version: number; facts: EndpointFacts } | undefined;
  private version = 0;

  constructor(readonly options: ClusterIndexOptions) {
    this.ipHistory = new IpHistory(options.ipHistoryRetentionMs, defaultPodEndSlackMs, options.maxEndedTenures, (n) => options.onEvict?.('ip-history', n));
  }

  upsertPod(pod: PodInfo, identity: WorkloadIdentity | undefined, now: number): void {
    const key = `${pod.namespace}/${pod.name}`;
    this.pods.set(key, { pod, identity });
    this.ipHistory.set(key, pod.ips, { identity, hostNetwork: pod.hostNetwork, start: pod.start, end: pod.end }, now);
    this.version++;
  }

  removePod(namespace: string, name: string, at: number): void {
    const key = `${namespace}/${name}`;
    this.pods.delete(key);
    this.ipHistory.end(key, at);
    this.version++;
  }

  pod(namespace: string, name: string): { pod: PodInfo; identity: WorkloadIdentity | undefined } | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  /** Every pod held, with its workload (the Kafka watcher selects its brokers from them). */
  allPods(): IterableIterator<{ pod: PodInfo; identity: WorkloadIdentity | undefined }> {
    return this.pods.values();
  }

  upsertService(service: ServiceInfo): void {
    this.removeService(service.namespace, service.name);
    const key = `${service.namespace}/${service.name}`;
    this.services.set(key, service);
    for (const ip of service.clusterIPs) this.serviceByIp.set(ip, key);
    this.version++;
  }

  removeService(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const old = this.services.get(key);
    if (!old) return;
    for (const ip of old.clusterIPs) if (this.serviceByIp.get(ip) === key) this.serviceByIp.delete(ip);
    this.services.delete(key);
    this.backendCache.delete(key);
    this.version++;
  }

  upsertSlice(slice: EndpointSliceInfo): void {
    this.removeSlice(slice.namespace, slice.name);
    const key = `${slice.namespace}/${slice.name}`;
    this.slices.set(key, slice);
    const serviceKey = `${slice.namespace}/${slice.serviceName}`;
    let set = this.slicesByService.get(serviceKey);
    if (!set) this.slicesByService.set(serviceKey, (set = new Set()));
    set.add(key);
    this.version++;
  }

  removeSlice(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const old = this.slices.get(key);
    if (!old) return;
    this.slices.delete(key);
    const serviceKey = `${old.namespace}/${old.serviceName}`;
    const set = this.slicesByService.get(serviceKey);
    set?.delete(key);
    if (set?.size === 0) this.slicesByService.delete(serviceKey);
    this.version++;
  }

  setNode(name: string, ips: readonly string[]): void {
    this.nodeIps.set(name, ips);
    this.rebuildNodeIps();
  }

  removeNode(name: string): void {
    this.nodeIps.delete(name);
    this.rebuildNodeIps();
  }

  prune(now: number): void {
    this.ipHistory.prune(now);
  }

  /** The workloads that have a pod in the cluster now (running or finished, not yet deleted). */
  workloads(): WorkloadIdentity[] {
    const found = new Map<string, WorkloadIdentity>();
    for (const { identity } of this.pods.values()) if (identity) found.set(`${identity.namespace}/${identity.name}/${identity.kind ?? ''}`, identity);
    return [...found.values()];
  }

  /** The client workload behind an IP during [from, to]. */
  client(ip: string, from: number, to: number): Resolution<WorkloadIdentity> {
    const holder = this.ipHistory.holder(ip, from, to);
    if (holder.kind === 'pod' && holder.tenure.identity) return ok(holder.tenure.identity);
    if (holder.kind === 'unknown' && this.nodeIpSet.has(ip)) return fail('client-host-network');
    return fail(holderReason('client', holder));
  }

  /**
   * The server behind a connection's destination IP (as captured, before DNAT) and port. A node
   * IP is the API server only on the port the `default/kubernetes` EndpointSlice lists for it:
   * on kubeadm, kind or k3s that address also serves the kubelet, node exporters and any
   * hostNetwork pod, which are host network, not the API server.
   */
  serverByIp(ip: string, from: number, to: number, port?: number): Resolution<ServerTarget> {
    const serviceKey = this.serviceByIp.get(ip);
    if (serviceKey) return ok(this.serviceTarget(serviceKey));
    const facts = this.endpointFacts();
    if (port !== undefined && facts.apiServerEndpoints.has(`${ip} ${port}`)) return ok(this.serviceTarget(apiServerKey));
    const endpointService = facts.serviceByEndpointIp.get(ip);
    const holder = this.ipHistory.holder(ip, from, to);
    if (holder.kind === 'pod' && holder.tenure.identity) return ok({ type: 'workload', identity: holder.tenure.identity });
    if (endpointService) return ok(this.serviceTarget(endpointService));
    if (holder.kind === 'unknown' && this.nodeIpSet.has(ip)) return fail('server-host-network');
    return fail(holderReason('server', holder));
  }

  /**
   * The port(s) the server pod sees for a connection to `ip:port` as captured: through a
   * Service's ClusterIP the Service's targetPort (service-ports.ts), else the port itself (a pod
   * called by its IP, a headless Service's endpoint, the API server's endpoint).
   */
  podPorts(ip: string, port: number): number[] {
    const serviceKey = this.serviceByIp.get(ip);
    const service = serviceKey === undefined ? undefined : this.services.get(serviceKey);
    if (!service) return [port];
    const slices = [...(this.slicesByService.get(serviceKey!) ?? [])].flatMap((key) => this.slices.get(key) ?? []);
    return podPortsForServicePort(service, slices, port);
  }

  /**
   * Whether DNS answers sent to this client are a resolver's upstream answers rather than its
   * own lookups: the IP is an endpoint of a Service that answers DNS (port 53), or the client
   * is a workload whose pods are such endpoints (a pod of the previous rollout included).
   */
  isDnsResolver(ip: string, client: WorkloadIdentity): boolean {
    const facts = this.endpointFacts();
    return facts.resolverIps.has(ip) || facts.resolverWorkloads.has(identityKey(client));
  }

  /**
   * Whether the sniffer sees the calls that follow a lookup of this in-cluster name: a Service
   * whose ports are all TCP (the default protocol). Then its DNS answer alone adds no target; the
   * answered connection does. For a Service with a UDP or SCTP port, unknown ports, or a pod's own
   * DNS name, the lookup is the only evidence there will be, so it counts.
   */
  callsVisibleAfterLookup(name: string): boolean {
    const parsed = parseClusterName(name, this.options.clusterDomain);
    if (parsed.kind !== 'service') return false;
    const specs = this.services.get(`${parsed.namespace}/${parsed.service}`)?.portSpecs;
    return specs !== undefined && specs.length > 0 && specs.every((p) => (p.protocol ?? 'TCP') === 'TCP');
  }

  /** An in-cluster DNS name, or `external` for names outside the cluster domain. */
  serverByName(name: string, from: number, to: number): Resolution<ServerTarget> | 'external' {
    const parsed = parseClusterName(name, this.options.clusterDomain);
    switch (parsed.kind) {
      case 'external':
        return 'external';
      case 'service': {
        const key = `${parsed.namespace}/${parsed.service}`;
        return this.services.has(key) ? ok(this.serviceTarget(key)) : fail('cluster-name-unknown');
      }
      case 'pod': {
        const holder = this.ipHistory.holder(parsed.ip, from, to);
        if (holder.kind === 'pod' && holder.tenure.identity && holder.tenure.identity.namespace === parsed.namespace) {
          return ok({ type: 'workload', identity: holder.tenure.identity });
        }
        return fail('cluster-name-unknown');
      }
      case 'unknown-in-cluster':
        return fail('cluster-name-unknown');
    }
  }

  /**
   * A Service as a target: the API server is the special `kubernetes.default` Service; others
   * name the one workload behind their endpoints, or the Service itself when its endpoints are
   * empty, unknown or belong to several workloads.
   */
  private serviceTarget(serviceKey: string): ServerTarget {
    const cached = this.backendCache.get(serviceKey);
    if (cached && cached.version === this.version) return cached.target;
    const target = this.computeServiceTarget(serviceKey);
    this.backendCache.set(serviceKey, { version: this.version, target });
    return target;
  }

  private computeServiceTarget(serviceKey: string): ServerTarget {
    const [namespace, name] = serviceKey.split('/') as [string, string];
    if (namespace === apiServerService.namespace && name === apiServerService.name) {
      return { type: 'service', namespace, name };
    }
    let identity: WorkloadIdentity | undefined;
    let mixed = false;
    for (const sliceKey of this.slicesByService.get(serviceKey) ?? []) {
      for (const endpoint of this.slices.get(sliceKey)?.endpoints ?? []) {
        const found = this.endpointIdentity(endpoint.pod, endpoint.ips);
        if (!found) continue;
        if (identity && !sameIdentity(identity, found)) mixed = true;
        identity ??= found;
      }
    }
    if (identity && !mixed) return { type: 'workload', identity, viaService: { namespace, name } };
    return { type: 'service', namespace, name };
  }

  private endpointIdentity(pod: { namespace: string; name: string } | undefined, ips: readonly string[]): WorkloadIdentity | undefined {
    if (pod) {
      const entry = this.pods.get(`${pod.namespace}/${pod.name}`);
      if (entry?.identity) return entry.identity;
    }
    for (const ip of ips) {
      const holder = this.ipHistory.holder(ip, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (holder.kind === 'pod' && holder.tenure.identity) return holder.tenure.identity;
    }
    return undefined;
  }

  private endpointFacts(): EndpointFacts {
    if (this.endpointFactsCache?.version === this.version) return this.endpointFactsCache.facts;
    const facts: EndpointFacts = { serviceByEndpointIp: new Map(), apiServerEndpoints: new Set(), resolverIps: new Set(), resolverWorkloads: new Set() };
    for (const slice of this.slices.values()) {
      const serviceKey = `${slice.namespace}/${slice.serviceName}`;
      const ports = slice.ports ?? [];
      const answersDns = ports.includes(dnsPort) || (this.services.get(serviceKey)?.ports ?? []).includes(dnsPort);
      for (const endpoint of slice.endpoints) {
        for (const ip of endpoint.ips) {
          if (serviceKey === apiServerKey) for (const port of ports) facts.apiServerEndpoints.add(`${ip} ${port}`);
          else facts.serviceByEndpointIp.set(ip, serviceKey);
          if (answersDns) facts.resolverIps.add(ip);
        }
        const identity = answersDns ? this.endpointIdentity(endpoint.pod, endpoint.ips) : undefined;
        if (identity) facts.resolverWorkloads.add(identityKey(identity));
      }
    }
    this.endpointFactsCache = { version: this.version, facts };
    return facts;
  }

  private rebuildNodeIps(): void {
    this.nodeIpSet.clear();
    for (const ips of this.nodeIps.values()) for (const ip of ips) this.nodeIpSet.add(ip);
    this.version++;
  }
}

function holderReason(side: 'client' | 'server', holder: HolderLookup): UnresolvedReason {
  switch (holder.kind) {
    case 'host-network':
      return `${side}-host-network`;
    case 'ambiguous':
      return `${side}-ip-ambiguous`;
    case 'not-at-time':
      return `${side}-not-running-at-time`;
    default:
      return `${side}-unknown-ip`;
  }
}

function identityKey(identity: WorkloadIdentity): string {
  return `${identity.namespace}/${identity.name}/${identity.kind ?? ''}`;
}

export function sameIdentity(a: WorkloadIdentity, b: WorkloadIdentity): boolean {
  return a.namespace === b.namespace && a.name === b.name && a.kind === b.kind;
}
