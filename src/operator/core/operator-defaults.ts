/**
 * The operator's defaults that other programs need too (the CLI's `status` finds the operator by
 * them), apart from operator-config.ts so that reading them does not load zod.
 */
export const operatorDefaults = {
  /** OBSERVATION_NAMESPACE: where network-mapper is installed (deploy/ and the chart use it). */
  observationNamespace: 'network-mapper',
  /** LEASE_NAME: the leader-election Lease. */
  leaseName: 'network-mapper-operator',
  /** KAFKA_CURSOR_CONFIGMAP: the Kafka watcher's positions and status (docs/kafka.md). */
  kafkaCursorConfigMap: 'network-mapper-kafka-cursors',
  /** The drift between the map and the ClientIntents users or GitOps engines own (docs/gitops.md). */
  driftConfigMap: 'network-mapper-drift',
} as const;
