import type { ParseArgsConfig } from 'node:util';
import { clusterFlags, help, parseCluster, parseSelection, type ClusterOptions } from '../flags.js';

export interface ResetCommand {
  readonly kind: 'reset';
  /** Namespaces whose ClientIntents to remove; empty: all. NetworkObservations go everywhere. */
  readonly namespaces: readonly string[];
  readonly cluster: ClusterOptions;
  readonly yes: boolean;
}

export const resetFlags = {
  ...clusterFlags,
  ...help,
  namespace: { type: 'string', short: 'n', multiple: true },
  'all-namespaces': { type: 'boolean', short: 'A' },
  yes: { type: 'boolean', short: 'y' },
} as const satisfies ParseArgsConfig['options'];

export function buildReset(values: Record<string, unknown>): ResetCommand {
  const { namespaces } = parseSelection(values);
  return { kind: 'reset', namespaces, cluster: parseCluster(values), yes: values.yes === true };
}

/** What reset found, in the words of its confirmation question. */
export interface ResetPlan {
  /** Managed ClientIntents per namespace. */
  readonly intents: ReadonlyMap<string, number>;
  readonly observations: ReadonlyMap<string, number>;
}

export function describeResetPlan(plan: ResetPlan): string {
  const count = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const where = (m: ReadonlyMap<string, number>): string => (m.size === 0 ? '' : ` (${[...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ns, n]) => `${ns}: ${n}`).join(', ')})`);
  return `${count(plan.intents)} ClientIntents managed by network-mapper${where(plan.intents)} and ${count(plan.observations)} NetworkObservations${where(plan.observations)}`;
}

export const resetHelp = (program: string, clusterHelp: string): string => `Delete what network-mapper wrote: its ClientIntents (labelled app.kubernetes.io/managed-by:
network-mapper; the API server selects them, so ClientIntents written by anyone else are never
touched) and all NetworkObservations. Asks first on a terminal; elsewhere needs --yes.

A running operator writes the map again from what it still sees: scale it to 0 first for a
clean start (kubectl -n network-mapper scale deployment network-mapper-operator --replicas 0).

Usage:
  ${program} reset [flags]

Reset flags:
  -n, --namespace NS            only the ClientIntents of these namespaces (repeatable or comma-separated)
  -A, --all-namespaces          all namespaces (the default)
  -y, --yes                     do not ask

${clusterHelp}
`;
