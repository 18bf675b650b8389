/**
 * Where each custom resource lives in the API, without its zod schemas: the CLI's read-only
 * commands need only these, and loading zod would cost them a good part of their start-up
 * (BENCHMARKS.md, "CLI start-up"). The definitions (client-intents.ts, network-observation.ts)
 * spread these, so the names are written once.
 */
export const clientIntentsResource = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' } as const;
export const networkObservationResource = { group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations' } as const;

/** `plural.group`, as RBAC and error messages name a resource. */
export function qualifiedResource(resource: { group: string; plural: string }): string {
  return `${resource.plural}.${resource.group}`;
}
