import type { CommandName } from './command.js';
import { diffHelp } from './commands/diff.js';
import { resetHelp } from './commands/reset.js';
import { serveHelp } from './commands/serve.js';
import { statusHelp } from './commands/status.js';
import { visualizeHelp } from './commands/visualize.js';

const program = 'kubectl netmap';

const clusterHelp = `Cluster flags (as kubectl's):
      --kubeconfig FILE         kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)
      --context NAME            kubeconfig context to use (default: its current context)
      --request-timeout DUR     give up on the API server after DUR (default 30s; e.g. 10s, 2m)`;

const selectionHelp = `Selection flags:
  -n, --namespace NS            client namespaces (repeatable or comma-separated; default: all)
  -A, --all-namespaces          all namespaces (the default)
      --server NAME.NAMESPACE   only clients calling this workload or Service, and only those calls
      --all                     include ClientIntents not managed by network-mapper
      --exclude-services LIST   leave out these workloads/Services (name or name.namespace), as clients and targets
      --exclude-labels K=V,...  leave out clients whose pods carry any of these labels`;

const topics: Record<CommandName | 'overview', string> = {
  overview: `${program}: who talks to whom, as network-mapper's ClientIntents.

Usage:
  ${program} list [flags]      print who calls whom
  ${program} export [flags]    write the ClientIntents as YAML or JSON, or NetworkPolicies (stdout, a file or a directory)
  ${program} visualize [flags] draw the map (SVG, PNG, Graphviz DOT or Mermaid)
  ${program} diff [flags]      observed against declared ClientIntents (exit 1 when they differ)
  ${program} status [flags]    is it working, and if not, why (exit 1 when not)
  ${program} serve [flags]     the live map as a local web page
  ${program} reset [flags]     delete network-mapper's ClientIntents and NetworkObservations
  ${program} version           print the version
  ${program} <command> --help  flags of a command

Exit codes: 0 ok, 1 unexpected error, 2 usage or kubeconfig error, 3 cluster unreachable,
4 ClientIntents CRD not installed, 5 forbidden by the API server.
diff and status: 1 differences or problems found, 6 unexpected error. See docs/cli.md.
`,
  list: `Print who calls whom, from the ClientIntents network-mapper manages:

  checkout in namespace shop calls:
    - cart in namespace shop
    - payments in namespace billing

Usage:
  ${program} list [flags]

List flags:
      --readiness               per client workload: ready to enforce (nothing new for the stable
                                period) or still learning, and why
      --stable-for DURATION     the stable period (default: the chart's readiness.stableFor, else 7d)
      --install-namespace NS    where the operator runs, to read that period (default network-mapper)

${selectionHelp}

${clusterHelp}
`,
  export: `Write the ClientIntents network-mapper manages, without its bookkeeping labels and annotations.

Usage:
  ${program} export [flags]

Export flags:
      --format yaml|json|networkpolicy
                                yaml: documents separated by ---; json: one array (default yaml);
                                networkpolicy: per server workload an ingress NetworkPolicy admitting
                                exactly its observed clients on the observed ports (docs/policies.md)
      --egress                  networkpolicy: also an egress policy per client workload
      --ready-only              networkpolicy: only workloads ready to enforce (see list --readiness)
      --stable-for DURATION     with --ready-only: the stable period (default: the chart's, else 7d)
      --install-namespace NS    with --ready-only: where the operator runs, to read that period;
                                with --only-undeclared: to read its drift report
      --only-undeclared         what to commit next to the ClientIntents you keep in git
                                (docs/gitops.md): each declared one with the targets observed but
                                not declared added, under its own name, and each client only
                                network-mapper covers; into a directory (--output-type dir), files
                                named as a full export names them, kustomization.yaml extended
      --api-version VERSION     v2beta1 (default) or v1alpha3 (the deprecated spec.service/spec.calls shape)
  -o, --output PATH             write to this file instead of stdout (or directory, see --output-type)
      --output-type file|dir    dir: one file per ClientIntents, <workload>.<namespace>.yaml, and a
                                kustomization.yaml listing them (default file)

${selectionHelp}

${clusterHelp}
`,
  visualize: visualizeHelp(program, selectionHelp, clusterHelp),
  diff: diffHelp(program, selectionHelp, clusterHelp),
  reset: resetHelp(program, clusterHelp),
  status: statusHelp(program, clusterHelp),
  serve: serveHelp(program, selectionHelp, clusterHelp),
  version: `Print the version of ${program}.

Usage:
  ${program} version
`,
};

export function helpText(topic?: CommandName): string {
  return topics[topic ?? 'overview'];
}
