import { z } from 'zod';
import { operatorDefaults } from './operator-defaults.js';
import { parseLabelSelector } from './kafka/broker-discovery.js';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const seconds = z.coerce.number().int().min(0);

/** Environment variables of the operator, validated at start-up. */
export const operatorConfigSchema = z.object({
  OBSERVATION_NAMESPACE: z.string().min(1).default(operatorDefaults.observationNamespace),
  LEASE_NAMESPACE: z.string().min(1).optional(),
  LEASE_NAME: z.string().min(1).default(operatorDefaults.leaseName),
  POD_NAME: z.string().min(1).optional(),
  CLUSTER_DOMAIN: z.string().min(1).default('cluster.local'),
  INTERNET_TARGETS: bool.default(true),
  /** Targets not seen for this long are removed (30 days); 0 keeps them forever. */
  TARGET_EXPIRY_SECONDS: seconds.default(30 * 86_400),
  /** The ClientIntents of a workload without pods for this long is deleted (24 h); 0 never. */
  GONE_WORKLOAD_EXPIRY_SECONDS: seconds.default(86_400),
  /** An answer IP stays in status.resolvedIPs for its TTL plus this long (more than the sniffer's REREPORT_SECONDS). */
  RESOLVED_IPS_GRACE_SECONDS: seconds.default(3600),
  EVIDENCE_INTERVAL_SECONDS: seconds.default(300),
  /**
   * A target a user's or GitOps engine's ClientIntents declares is reported unobserved (an Event,
   * netmap_unobserved_targets) once the map has been built this long without it (7 days); 0 never.
   */
  UNOBSERVED_AFTER_SECONDS: seconds.default(7 * 86_400),
  /** Processed observations are deleted this long after processing: at once by default. */
  OBSERVATION_RETENTION_SECONDS: seconds.default(0),
  /** Wait this long after a window ends, so the pods it names are known. */
  OBSERVATION_SETTLE_SECONDS: seconds.default(2),
  IP_HISTORY_SECONDS: seconds.default(600),
  DNS_MEMORY_SECONDS: seconds.default(3600),
  WORKERS: z.coerce.number().int().min(1).max(64).default(4),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LEADER_ELECTION: bool.default(true),
  /**
   * HTTP paths and methods from the sniffers' HTTP capture, on kubernetes targets. Off by default:
   * once a mesh enforces paths, a path the map has not seen is refused (docs/operator.md).
   */
  HTTP_PATHS: bool.default(false),
  /** Kafka brokers to follow where Otterize's KafkaServerConfig CRD is absent: `key=value,...`; empty: none (docs/kafka.md). */
  KAFKA_BROKER_SELECTOR: z.string().default(''),
  /** The broker container whose log is read; empty: the pod's first container. */
  KAFKA_BROKER_CONTAINER: z.string().default(''),
  KAFKA_CURSOR_CONFIGMAP: z.string().min(1).max(253).default(operatorDefaults.kafkaCursorConfigMap),
});

export type OperatorConfigEnv = z.infer<typeof operatorConfigSchema>;

/** The operator's settings in the units the code uses. */
export interface OperatorSettings {
  observationNamespace: string;
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  clusterDomain: string;
  internetTargets: boolean;
  targetExpiryMs: number;
  goneWorkloadMs: number;
  resolvedIpGraceMs: number;
  evidenceIntervalMs: number;
  unobservedAfterMs: number;
  observationRetentionMs: number;
  observationSettleMs: number;
  ipHistoryMs: number;
  dnsMemoryMs: number;
  workers: number;
  leaderElection: boolean;
  httpPaths: boolean;
  fieldManager: string;
  maxTargetsPerClient: number;
  /** The Kafka watcher (docs/kafka.md); absent: not run. */
  kafka?: { brokerSelector: Record<string, string>; container: string; cursorConfigMap: string };
}

export function settingsFromEnv(env: OperatorConfigEnv, fallbackIdentity: string): OperatorSettings {
  return {
    observationNamespace: env.OBSERVATION_NAMESPACE,
    leaseNamespace: env.LEASE_NAMESPACE ?? env.OBSERVATION_NAMESPACE,
    leaseName: env.LEASE_NAME,
    identity: env.POD_NAME ?? fallbackIdentity,
    clusterDomain: env.CLUSTER_DOMAIN,
    internetTargets: env.INTERNET_TARGETS,
    targetExpiryMs: env.TARGET_EXPIRY_SECONDS * 1000,
    goneWorkloadMs: env.GONE_WORKLOAD_EXPIRY_SECONDS * 1000,
    resolvedIpGraceMs: env.RESOLVED_IPS_GRACE_SECONDS * 1000,
    evidenceIntervalMs: env.EVIDENCE_INTERVAL_SECONDS * 1000,
    unobservedAfterMs: env.UNOBSERVED_AFTER_SECONDS * 1000,
    observationRetentionMs: env.OBSERVATION_RETENTION_SECONDS * 1000,
    observationSettleMs: env.OBSERVATION_SETTLE_SECONDS * 1000,
    ipHistoryMs: env.IP_HISTORY_SECONDS * 1000,
    dnsMemoryMs: env.DNS_MEMORY_SECONDS * 1000,
    workers: env.WORKERS,
    leaderElection: env.LEADER_ELECTION,
    httpPaths: env.HTTP_PATHS,
    fieldManager: 'network-mapper',
    maxTargetsPerClient: 1024,
    kafka: { brokerSelector: parseLabelSelector(env.KAFKA_BROKER_SELECTOR), container: env.KAFKA_BROKER_CONTAINER, cursorConfigMap: env.KAFKA_CURSOR_CONFIGMAP },
  };
}
