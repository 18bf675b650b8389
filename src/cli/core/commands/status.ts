import type { ParseArgsConfig } from 'node:util';
import { operatorDefaults } from '../../../operator/core/operator-defaults.js';
import { clusterFlags, help, isDnsLabel, parseCluster, UsageError, type ClusterOptions } from '../flags.js';

export interface StatusCommand {
  readonly kind: 'status';
  /** Where network-mapper is installed (sniffers, operator, Lease, NetworkObservations). */
  readonly namespace: string;
  readonly leaseName: string;
  readonly cluster: ClusterOptions;
}

/** The operator's own defaults (OBSERVATION_NAMESPACE, LEASE_NAME), which deploy/ uses. */
export const defaultInstallNamespace = operatorDefaults.observationNamespace;
export const defaultLeaseName = operatorDefaults.leaseName;

/** Where network-mapper runs: `status` and `serve`'s status view. */
export const installFlags = {
  'install-namespace': { type: 'string' },
  'lease-name': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const statusFlags = { ...clusterFlags, ...help, ...installFlags } as const satisfies ParseArgsConfig['options'];

export function parseInstall(values: Record<string, unknown>): Pick<StatusCommand, 'namespace' | 'leaseName'> {
  const namespace = (values['install-namespace'] as string | undefined) ?? defaultInstallNamespace;
  if (!isDnsLabel(namespace)) throw new UsageError(`--install-namespace: "${namespace}" is not a namespace name`);
  const leaseName = (values['lease-name'] as string | undefined) ?? defaultLeaseName;
  if (leaseName === '') throw new UsageError('--lease-name needs a name');
  return { namespace, leaseName };
}

export function buildStatus(values: Record<string, unknown>): StatusCommand {
  return { kind: 'status', ...parseInstall(values), cluster: parseCluster(values) };
}

export const statusHelp = (program: string, clusterHelp: string): string => `Is network-mapper working, and if not, why: per node whether its sniffer is Ready and when it
last wrote a NetworkObservation; the operator's replicas, which one leads (its Lease) and since
when; the observation backlog; unresolved records by reason over the last hour, with what each
means; whether the ClientIntents CRD is Otterize's or network-mapper's. Exits 1 when something is
wrong, listing each problem and what to do.

Usage:
  ${program} status [flags]

Status flags:
      --install-namespace NS    where network-mapper runs (default ${defaultInstallNamespace})
      --lease-name NAME         the operator's Lease, its LEASE_NAME (default ${defaultLeaseName})

Permissions: config/rbac/cli-clusterrole.yaml (read-only).

${clusterHelp}
`;
