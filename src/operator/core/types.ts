/** Plain data the core works on. Times are epoch milliseconds. */

export interface OwnerRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly controller?: boolean;
}

/** What the core needs of a Pod. */
export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly ips: readonly string[];
  readonly hostNetwork: boolean;
  readonly nodeName?: string;
  /** When the pod came to exist (creation time). */
  readonly start: number;
  /** When it stopped holding its IPs (terminal phase or deletion); absent while it runs. */
  readonly end?: number;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly ownerReferences: readonly OwnerRef[];
}

/** A workload as ClientIntents name it. `name` is the raw name (dots not yet replaced). */
export interface WorkloadIdentity {
  readonly namespace: string;
  readonly name: string;
  /** Absent when an annotation or label overrides the name. */
  readonly kind?: string;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIPs: readonly string[];
  /** The Service's ports (spec.ports[].port); absent when not known. */
  readonly ports?: readonly number[];
  /** spec.ports in full, for the port -> targetPort translation (service-ports.ts); absent when not known. */
  readonly portSpecs?: readonly ServicePortInfo[];
}

/** One of a Service's spec.ports. */
export interface ServicePortInfo {
  readonly port: number;
  /** The port's name ('' or absent when unnamed); EndpointSlices carry it for their resolved port. */
  readonly name?: string;
  /** The pods' port: a number, or a container port's name; absent means the same as `port`. */
  readonly targetPort?: number | string;
  readonly protocol?: string;
}

export interface EndpointInfo {
  readonly ips: readonly string[];
  readonly pod?: { readonly namespace: string; readonly name: string };
}

export interface EndpointSliceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly serviceName: string;
  readonly endpoints: readonly EndpointInfo[];
  /** The ports its endpoints serve (ports[].port, the pods' own ports); absent when not known. */
  readonly ports?: readonly number[];
  /** ports[] with the Service port's name each resolves ('' when unnamed); absent when not known. */
  readonly namedPorts?: readonly { readonly name: string; readonly port: number; readonly protocol?: string }[];
}

/**
 * Which capture saw a target: `HTTP`, a plaintext HTTP request to it (when HTTP paths are on);
 * `KafkaAuthorizer`, a Kafka broker's authorizer log (docs/kafka.md).
 */
export type Capture = 'DNS' | 'SYN' | 'SocketScan' | 'HTTP' | 'KafkaAuthorizer';
export const captureOrder: readonly Capture[] = ['DNS', 'SYN', 'SocketScan', 'HTTP', 'KafkaAuthorizer'];

/** A resolved server, independent of who called it. */
export type ServerTarget =
  | {
    readonly type: 'workload';
    readonly identity: WorkloadIdentity;
    /** The Service the traffic was addressed to, when it was (its ClusterIP or DNS name). */
    readonly viaService?: { readonly namespace: string; readonly name: string };
  }
  | { readonly type: 'service'; readonly namespace: string; readonly name: string }
  | { readonly type: 'internet'; readonly domain: string };

export type Resolution<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: UnresolvedReason };

export const unresolvedReasons = [
  'client-unknown-ip',
  'client-host-network',
  'client-ip-ambiguous',
  'client-not-running-at-time',
  'client-dns-resolver',
  'server-unknown-ip',
  'server-host-network',
  'server-ip-ambiguous',
  'server-not-running-at-time',
  'cluster-name-unknown',
  'internet-disabled',
  'invalid-domain',
  'self-call',
  'too-many-targets',
  /** HTTP records while the operator's HTTP_PATHS is off. */
  'http-disabled',
  /** HTTP to a server that is not one workload (a Service with mixed endpoints, the API server, the internet). */
  'http-not-workload',
] as const;
export type UnresolvedReason = (typeof unresolvedReasons)[number];

export function ok<T>(value: T): Resolution<T> {
  return { ok: true, value };
}

export function fail<T>(reason: UnresolvedReason): Resolution<T> {
  return { ok: false, reason };
}
