import { join } from 'node:path';

/** One line of the main command's "look around" list: a shell command and what it shows. */
export interface LookAroundLine {
  readonly command: string;
  readonly comment?: string;
}

export interface LookAroundOptions {
  readonly repoRoot: string;
  readonly kubeconfig: string;
  /** The control plane's binary: `<it> kubectl` is the built kubectl. */
  readonly controlPlaneBinary: string;
  readonly withOtterize: boolean;
  /** A demo workload whose logs `kubectl logs` shows (through the kubelet), as `namespace/deploy/name`; absent: no such line. */
  readonly logsOf?: { readonly namespace: string; readonly workload: string };
}

/**
 * What the main command prints once the map is shown: commands to paste into a shell on this
 * machine as it is, where `node` on PATH may be older than the CLI needs (Debian's 20):
 * `bin/kubectl-netmap` runs the CLI with the set-up's Node.js, and with bin/ on PATH the built
 * kubectl runs it as its `netmap` plugin. test/integration/cli/look-around.test.ts runs them.
 */
export function lookAroundCommands(options: LookAroundOptions): LookAroundLine[] {
  const kubectl = `${options.controlPlaneBinary} kubectl`;
  return [
    { command: `export KUBECONFIG=${options.kubeconfig} PATH=${join(options.repoRoot, 'bin')}:$PATH` },
    { command: 'kubectl-netmap status', comment: 'is it working?' },
    { command: `${kubectl} netmap list`, comment: 'the same CLI as a kubectl plugin: kubectl netmap list' },
    { command: 'kubectl-netmap serve', comment: 'the live map at http://127.0.0.1:8477/ (Ctrl-C stops it)' },
    { command: `${kubectl} get clientintents -A` },
    { command: `${kubectl} get networkobservations -A` },
    ...(options.withOtterize ? [{ command: `${kubectl} get networkpolicies -A`, comment: 'what Otterize enforces from the map' }] : []),
    { command: `${kubectl} get nodes -o wide`, comment: 'the real node: its kubelet version' },
    { command: `${kubectl} get pods -A -o wide` },
    ...(options.logsOf ? [{ command: `${kubectl} logs -n ${options.logsOf.namespace} ${options.logsOf.workload}`, comment: 'a demo client\'s own counts, through the kubelet' }] : []),
  ];
}

/** The lines as printed: a comment after a short command (aligned), above a long one. */
export function renderLookAround(lines: readonly LookAroundLine[]): string {
  const short = 40;
  const width = Math.max(0, ...lines.filter((l) => l.comment && l.command.length <= short).map((l) => l.command.length));
  return lines
    .map((l) => {
      if (!l.comment) return `  ${l.command}`;
      return l.command.length <= short ? `  ${l.command.padEnd(width)}  # ${l.comment}` : `  # ${l.comment}\n  ${l.command}`;
    })
    .join('\n');
}
