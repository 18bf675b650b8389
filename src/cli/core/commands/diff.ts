import type { ParseArgsConfig } from 'node:util';
import { clusterFlags, help, oneOf, parseCluster, parseSelection, selectionFlags, UsageError, type ClusterOptions } from '../flags.js';
import type { Selection } from '../selection.js';
import { defaultInstallNamespace, parseInstall } from './status.js';

export interface DiffCommand {
  readonly kind: 'diff';
  readonly selection: Selection;
  readonly cluster: ClusterOptions;
  readonly output: 'text' | 'json';
  /** A directory of ClientIntents YAML/JSON to compare with, instead of the cluster's user-managed ones. */
  readonly against?: string;
  /** Compare the NetworkPolicies in `against` (an earlier export --format networkpolicy) with a fresh export. */
  readonly networkpolicy?: boolean;
  /** Where the operator runs: its drift report (docs/gitops.md) is read there. */
  readonly installNamespace: string;
}

export const diffFlags = {
  ...clusterFlags,
  ...selectionFlags,
  ...help,
  against: { type: 'string' },
  networkpolicy: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'install-namespace': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export function buildDiff(values: Record<string, unknown>): DiffCommand {
  const against = values.against as string | undefined;
  if (against === '') throw new UsageError('--against needs a directory');
  if (values.all === true) throw new UsageError('--all does not apply to diff: it always compares both kinds of ClientIntents');
  const selection = { ...parseSelection(values), includeUserManaged: true };
  const output = oneOf('-o/--output', values.output, ['text', 'json'] as const, 'text');
  if (values.networkpolicy === true && against === undefined) throw new UsageError('--networkpolicy needs --against DIR (a directory of an earlier export --format networkpolicy)');
  return { kind: 'diff', selection, cluster: parseCluster(values), output, installNamespace: parseInstall(values).namespace, ...(against === undefined ? {} : { against }), ...(values.networkpolicy === true ? { networkpolicy: true } : {}) };
}

export const diffHelp = (program: string, selectionHelp: string, clusterHelp: string): string => `Compare what network-mapper observed with what is declared, per client workload:
  + a target observed but missing from the ClientIntents you manage (blocked under enforcement)
  - a declared target never observed (network-mapper's ClientIntents hold what it saw within its
    target expiry window): a candidate to remove

Declared: ClientIntents without network-mapper's managed-by label (or applied by a GitOps engine,
Flux or Argo CD), in the cluster, or in the directory given by --against (e.g. a GitOps
repository). Observed: network-mapper's ClientIntents, and for a client whose ClientIntents is
declared, the operator's drift report (docs/gitops.md): its undeclared targets and those not
observed for the operator's UNOBSERVED_AFTER_SECONDS.

Usage:
  ${program} diff [flags]

Diff flags:
      --against DIR             compare with the ClientIntents in DIR's *.yaml, *.yml, *.json files
      --networkpolicy           with --against: compare DIR's NetworkPolicies (an earlier export
                                --format networkpolicy) with a fresh export, per policy: + a client
                                or port observed, not admitted; - admitted, not observed
  -o, --output text|json        text (default, like kubectl diff) or json
      --install-namespace NS    where network-mapper runs, to read its drift report (default
                                ${defaultInstallNamespace})

Exit codes: 0 no differences, 1 differences, 2 and above an error (6: unexpected).

${selectionHelp.replace(/\n.*--all .*/, '')}

${clusterHelp}
`;
