import type { ExpectedEdge } from './expected-map.js';
import type { ExpectedIntents } from './expected-intents.js';
import type { DemoFlow, UnmappedCall } from './zero-trust-check.js';

/** What the demo in demo/shop.yaml must make visible (the CronJob's edge appears at the first full minute). */
export const shopEdges: readonly ExpectedEdge[] = [
  { client: { namespace: 'shop', app: 'frontend' }, service: { namespace: 'shop', name: 'cart', port: 8080 } },
  { client: { namespace: 'shop', app: 'frontend' }, service: { namespace: 'shop', name: 'checkout', port: 8080 } },
  { client: { namespace: 'shop', app: 'cart' }, pods: { namespace: 'shop', app: 'db', port: 5432 } },
  { client: { namespace: 'shop', app: 'checkout' }, service: { namespace: 'billing', name: 'payments', port: 8080 } },
  { client: { namespace: 'billing', app: 'payments' }, dns: 'api.payments.example' },
  { client: { namespace: 'ops', app: 'inventory-sync' }, service: { namespace: 'default', name: 'kubernetes', port: 443 } },
  { client: { namespace: 'ops', app: 'inventory-sync' }, dns: 'status.example.org' },
  { client: { namespace: 'shop', app: 'recommender' }, service: { namespace: 'shop', name: 'frontend', port: 8080 } },
  { client: { namespace: 'shop', app: 'recommender' }, dns: 'status.example.org' },
];

/**
 * The whole map the operator must write for demo/shop.yaml (the CronJob's after its first
 * minute): no other ClientIntents and no other target (node-scraper calls only the node's
 * metrics port, host network, so it has none).
 */
export const shopIntents: readonly ExpectedIntents[] = [
  { namespace: 'shop', workload: 'frontend', kind: 'Deployment', targets: [
    // The query string dropped, the order id templated.
    'kubernetes:cart#Deployment http[GET /api/cart]', 'kubernetes:checkout#Deployment http[GET /api/orders/{*}]',
  ] },
  { namespace: 'shop', workload: 'cart', kind: 'Deployment', targets: ['kubernetes:db#StatefulSet'] },
  { namespace: 'shop', workload: 'checkout', kind: 'Deployment', targets: ['kubernetes:payments.billing#Deployment http[GET /charge]'] },
  { namespace: 'billing', workload: 'payments', kind: 'Deployment', targets: ['internet:api.payments.example:80'] },
  { namespace: 'ops', workload: 'inventory-sync', kind: 'Deployment', targets: ['service:kubernetes.default', 'internet:status.example.org:80'] },
  { namespace: 'shop', workload: 'shop-recommender', targets: ['kubernetes:frontend#Deployment http[GET /products/recommended]', 'internet:status.example.org:80'] },
  { namespace: 'billing', workload: 'nightly-report', kind: 'CronJob', targets: ['kubernetes:payments#Deployment http[GET /report]'] },
  // CoreDNS watches the API server (through the kubernetes Service) and calls nothing else: the
  // names it forwards upstream are its clients' lookups, not its own.
  { namespace: 'kube-system', workload: 'coredns', kind: 'Deployment', targets: ['service:kubernetes.default'] },
  // network-mapper's operator runs as pods on the pod network, as in any cluster: its calls of
  // the API server are mapped like everyone's (the sniffer is hostNetwork, so it has none).
  { namespace: 'network-mapper', workload: 'network-mapper-operator', kind: 'Deployment', targets: ['service:kubernetes.default'] },
];

/** Every call the demo's clients make (their own logs count them under enforcement); the node scraper's URL names the node IP. */
export function shopFlows(nodeIP: string): DemoFlow[] {
  return [
    { namespace: 'shop', podPrefix: 'frontend-', url: 'http://cart:8080/api/cart?session=7f3a' },
    { namespace: 'shop', podPrefix: 'frontend-', url: 'http://checkout:8080/api/orders/1042' },
    { namespace: 'shop', podPrefix: 'cart-', url: 'tcp://db:5432' },
    { namespace: 'shop', podPrefix: 'checkout-', url: 'http://payments.billing:8080/charge' },
    { namespace: 'billing', podPrefix: 'payments-', url: 'http://api.payments.example/charge' },
    { namespace: 'ops', podPrefix: 'inventory-sync-', url: 'https://kubernetes.default.svc/version' },
    { namespace: 'ops', podPrefix: 'inventory-sync-', url: 'http://status/' },
    { namespace: 'ops', podPrefix: 'node-scraper-', url: `http://${nodeIP}:9100/metrics` },
    { namespace: 'shop', podPrefix: 'recommender-', url: 'http://frontend:8080/products/recommended' },
    { namespace: 'shop', podPrefix: 'recommender-', url: 'http://status.example.org/' },
    { namespace: 'billing', podPrefix: 'nightly-report-', url: 'http://payments:8080/report' },
  ];
}

/** Calls the map does not hold: a pod made after enforcement calling db, and cart calling a server it never called. */
export const shopUnmappedCalls: readonly UnmappedCall[] = [
  { kind: 'new-pod', namespace: 'shop', name: 'intruder', url: 'tcp://db:5432' },
  { kind: 'exec', namespace: 'shop', podPrefix: 'cart-', url: 'http://payments.billing:8080/' },
];
