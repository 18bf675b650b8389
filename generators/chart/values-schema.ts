import { z } from 'zod';
import { operatorConfigSchema } from '../../src/operator/core/operator-config.js';
import { snifferConfigSchema } from '../../src/sniffer/core/sniffer-config.js';

/*
 * The shape of charts/network-mapper/values.yaml, from which `npm run generate` writes
 * values.schema.json: every object is strict, so a misspelt key fails `helm install` instead of
 * being ignored. The defaults live in values.yaml only (with the prose users read); the settings
 * the programs read from their environment take their bounds from the programs' own schemas.
 */

const sniffer = snifferConfigSchema.shape;
const operator = operatorConfigSchema.shape;

const labelMap = z.record(z.string(), z.string());
/** Kubernetes types passed through as they are; the API server validates them. */
const kubernetesObject = z.looseObject({});
const quantity = z.union([z.string().regex(/^[0-9.]+[a-zA-Z]*$/, 'must be a Kubernetes quantity such as 100m or 128Mi'), z.number().min(0)]);
const resourceList = z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), quantity);
const resources = z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() });
const envVar = z.strictObject({ name: z.string().min(1), value: z.string().optional(), valueFrom: kubernetesObject.optional() });
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label').max(63);
const objectName = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'must be empty or a DNS-1123 subdomain').max(253);

/** What both components' pods accept: scheduling, security contexts, metadata, extra env. */
const podSettings = {
  resources,
  nodeSelector: labelMap,
  affinity: kubernetesObject,
  tolerations: z.array(kubernetesObject),
  priorityClassName: objectName,
  podSecurityContext: kubernetesObject,
  securityContext: kubernetesObject,
  podAnnotations: labelMap,
  podLabels: labelMap,
  extraEnv: z.array(envVar),
  terminationGracePeriodSeconds: z.number().int().min(0),
  serviceAccount: z.strictObject({ create: z.boolean(), name: objectName, annotations: labelMap }),
};

const logLevel = sniffer.LOG_LEVEL.unwrap();

export const chartValuesSchema = z.strictObject({
  nameOverride: objectName,
  fullnameOverride: objectName,
  image: z.strictObject({
    repository: z.string().min(1),
    tag: z.string(),
    pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
    pullSecrets: z.array(z.strictObject({ name: dnsLabel })),
  }),
  crds: z.strictObject({ enabled: z.boolean(), keep: z.boolean() }),
  clientIntentsCRD: z.enum(['auto', 'install', 'skip']),
  operator: z.strictObject({
    ...podSettings,
    replicas: z.number().int().min(0),
    leaderElection: z.strictObject({ enabled: z.boolean(), leaseName: operator.LEASE_NAME.unwrap() }),
    clusterDomain: operator.CLUSTER_DOMAIN.unwrap(),
    internetTargets: z.boolean(),
    targetExpirySeconds: operator.TARGET_EXPIRY_SECONDS.unwrap(),
    goneWorkloadExpirySeconds: operator.GONE_WORKLOAD_EXPIRY_SECONDS.unwrap(),
    resolvedIPsGraceSeconds: operator.RESOLVED_IPS_GRACE_SECONDS.unwrap(),
    evidenceIntervalSeconds: operator.EVIDENCE_INTERVAL_SECONDS.unwrap(),
    readinessStableFor: z.string().regex(/^[1-9][0-9]*[dhms]?$/, 'must be a duration such as 7d, 36h or 90m'),
    unobservedAfterSeconds: operator.UNOBSERVED_AFTER_SECONDS.unwrap(),
    observationRetentionSeconds: operator.OBSERVATION_RETENTION_SECONDS.unwrap(),
    workers: operator.WORKERS.unwrap(),
    port: operator.HEALTH_PORT.unwrap().min(1),
    logLevel,
    nodeOptions: z.string(),
    podDisruptionBudget: z.strictObject({ enabled: z.boolean(), minAvailable: z.union([z.number().int().min(0), z.string().regex(/^[0-9]+%$/)]) }),
  }),
  sniffer: z.strictObject({
    ...podSettings,
    windowSeconds: sniffer.WINDOW_SECONDS.unwrap(),
    scanIntervalSeconds: sniffer.SCAN_INTERVAL_SECONDS.unwrap(),
    pcapBufferBytes: sniffer.PCAP_BUFFER_BYTES.unwrap(),
    captureDevice: sniffer.CAPTURE_DEVICE.unwrap(),
    maxBufferBytes: sniffer.MAX_BUFFER_BYTES.unwrap(),
    maxPendingObjects: sniffer.MAX_PENDING_OBJECTS.unwrap(),
    rereportSeconds: sniffer.REREPORT_SECONDS.unwrap(),
    rereportMaxRecords: sniffer.REREPORT_MAX_RECORDS.unwrap(),
    /** The ResourceQuota's count of NetworkObservations in the release namespace; 0 creates none. */
    observationQuota: z.number().int().min(0),
    flushTimeoutSeconds: sniffer.FLUSH_TIMEOUT_SECONDS.unwrap(),
    port: sniffer.HTTP_PORT.unwrap(),
    logLevel,
    priorityClass: z.strictObject({ create: z.boolean(), value: z.number().int().min(-2147483648).max(1000000000) }),
    maxUnavailable: z.union([z.number().int().min(1), z.string().regex(/^[0-9]+%$/)]),
  }),
  /** HTTP paths and methods in the map: the sniffers' HTTP capture and the operator's HTTP_PATHS together. */
  httpPaths: z.strictObject({
    enabled: z.boolean(),
    snapLength: sniffer.HTTP_CAPTURE_SNAP_LENGTH.unwrap(),
    pcapBufferBytes: sniffer.HTTP_PCAP_BUFFER_BYTES.unwrap(),
  }),
  serviceMonitor: z.strictObject({ enabled: z.boolean(), interval: z.string().regex(/^[0-9]+(ms|s|m|h)$/), labels: labelMap }),
  prometheusRule: z.strictObject({ enabled: z.boolean(), labels: labelMap }),
  grafanaDashboard: z.strictObject({ enabled: z.boolean(), labels: labelMap, annotations: labelMap }),
  openshift: z.strictObject({ securityContextConstraints: z.boolean() }),
  kafka: z.strictObject({
    brokerSelector: z.record(z.string().regex(/^[A-Za-z0-9./_-]+$/, 'must be a label key'), z.string().regex(/^[A-Za-z0-9._-]*$/, 'must be a label value')),
    brokerContainer: operator.KAFKA_BROKER_CONTAINER.unwrap(),
  }),
});

export type ChartValues = z.infer<typeof chartValuesSchema>;

/** values.schema.json as `npm run generate` writes it. */
export function renderValuesSchema(): string {
  // Draft 7: what every Helm 3 release validates (Helm before 3.18 knows no later draft).
  const schema = z.toJSONSchema(chartValuesSchema, { io: 'input', target: 'draft-7' });
  return `${JSON.stringify({ ...schema, title: 'network-mapper chart values (generated by `npm run generate` from generators/chart/values-schema.ts)' }, null, 2)}\n`;
}
