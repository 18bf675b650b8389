/**
 * ClientIntents items as the API server returns them, bookkeeping included: the operator's
 * managed-by label and netmap.dev/ annotations, server-set metadata, finalizers and status.
 * Deliberately out of order, so that sorting is visible in every golden.
 */
const managed = { 'app.kubernetes.io/managed-by': 'network-mapper' };

function serverMetadata(name: string, namespace: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    namespace,
    uid: `0b7c1e7e-${name}`,
    resourceVersion: '4711',
    generation: 3,
    creationTimestamp: '2026-11-26T03:00:00Z',
    finalizers: ['intents.otterize.com/client-intents-finalizer'],
    managedFields: [{ manager: 'network-mapper', operation: 'Apply', apiVersion: 'k8s.otterize.com/v2beta1', fieldsType: 'FieldsV1', fieldsV1: {} }],
    ...extra,
  };
}

function item(metadata: Record<string, unknown>, spec: Record<string, unknown>, status?: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata, spec, ...(status ? { status } : {}) };
}

export const apiItems: Record<string, unknown>[] = [
  item(
    serverMetadata('payments', 'billing', { labels: managed, annotations: { 'netmap.dev/last-seen': '2026-11-26T03:59:00Z' } }),
    { workload: { name: 'payments', kind: 'StatefulSet' }, targets: [{ kubernetes: { name: 'ledger-db', kind: 'StatefulSet' } }, { service: { name: 'kubernetes.default' } }] },
    { upToDate: true, observedGeneration: 3 },
  ),
  item(
    serverMetadata('checkout', 'shop', {
      labels: managed,
      annotations: { 'netmap.dev/evidence': '{"SYN":12,"SocketScan":3}', 'netmap.dev/last-seen': '2026-11-26T03:58:00Z' },
    }),
    {
      workload: { name: 'checkout', kind: 'Deployment' },
      targets: [
        { kubernetes: { kind: 'Deployment', name: 'payments.billing' } },
        { kubernetes: { name: 'cart', kind: 'Deployment' } },
        { service: { name: 'kubernetes.default' } },
        { internet: { ports: [443], domains: ['api.stripe.com'] } },
        { internet: { ips: ['203.0.113.7', '2001:db8::7'], ports: [8443, 9443] } },
      ],
    },
    { upToDate: true, observedGeneration: 3, resolvedIPs: [{ dns: 'api.stripe.com', ips: ['198.51.100.20'] }] },
  ),
  item(
    serverMetadata('frontend', 'shop', { labels: managed }),
    { workload: { name: 'frontend', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'checkout', kind: 'Deployment' } }, { kubernetes: { name: 'cart', kind: 'Deployment' } }] },
  ),
  item(
    // A pod with the intents.otterize.com/workload-name annotation: no kind.
    serverMetadata('nightly-report', 'shop', { labels: managed }),
    {
      workload: { name: 'nightly-report' },
      targets: [{ kubernetes: { name: 'payments.billing' } }, { internet: { domains: ['*.s3.amazonaws.com'], ports: [443] } }],
    },
  ),
  item(
    serverMetadata('ingest', 'analytics', { labels: managed }),
    { workload: { name: 'ingest', kind: 'CronJob' }, targets: [{ kubernetes: { name: 'warehouse.data', kind: 'Service' } }] },
  ),
  item(
    // Written by a user (kubectl apply), not by network-mapper: shown only with --all.
    serverMetadata('reconcile-intents', 'billing', {
      labels: { team: 'finance' },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"k8s.otterize.com/v2beta1"}',
        'example.com/owner': 'finance-platform',
      },
    }),
    {
      workload: { name: 'reconcile', kind: 'CronJob' },
      targets: [
        { kubernetes: { name: 'payments', kind: 'StatefulSet', http: [{ methods: ['GET', 'POST'], path: '/ledger' }] } },
        { service: { name: 'payments' } },
        { kafka: { name: 'events.infra', topics: [{ name: 'ledger', operations: ['produce'] }] } },
        { sql: { name: 'ledger-db', privileges: [{ databaseName: 'ledger', operations: ['SELECT'] }] } },
      ],
    },
  ),
];
