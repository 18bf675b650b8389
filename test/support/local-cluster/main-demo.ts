import type { ExpectedEdge } from './expected-map.js';

/** What the demo in demo/shop.yaml must make visible (the CronJob's edge appears at the first full minute). */
export const shopEdges: readonly ExpectedEdge[] = [
  { client: { namespace: 'shop', app: 'frontend' }, service: { namespace: 'shop', name: 'cart', port: 8080 } },
  { client: { namespace: 'shop', app: 'frontend' }, service: { namespace: 'shop', name: 'checkout', port: 8080 } },
  { client: { namespace: 'shop', app: 'cart' }, pods: { namespace: 'shop', app: 'db', port: 5432 } },
  { client: { namespace: 'shop', app: 'checkout' }, service: { namespace: 'billing', name: 'payments', port: 8080 } },
  { client: { namespace: 'billing', app: 'payments' }, dns: 'api.payments.example' },
  { client: { namespace: 'ops', app: 'inventory-sync' }, service: { namespace: 'default', name: 'kubernetes', port: 443 } },
  { client: { namespace: 'shop', app: 'recommender' }, service: { namespace: 'shop', name: 'frontend', port: 8080 } },
  { client: { namespace: 'shop', app: 'recommender' }, dns: 'status.example.org' },
];
