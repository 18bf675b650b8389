import { parseArgs, type ParseArgsConfig } from 'node:util';
import { buildDiff, diffFlags, type DiffCommand } from './commands/diff.js';
import { buildReset, resetFlags, type ResetCommand } from './commands/reset.js';
import { buildServe, serveFlags, type ServeCommand } from './commands/serve.js';
import { buildStatus, statusFlags, type StatusCommand } from './commands/status.js';
import { buildVisualize, visualizeFlags, type VisualizeCommand } from './commands/visualize.js';
import { defaultInstallNamespace, parseInstall } from './commands/status.js';
import { parseDuration } from './readiness.js';
import { exportApiVersions, exportFormats, type ExportApiVersion, type ExportFormat } from './export-objects.js';
import { clusterFlags, help, oneOf, parseCluster, parseSelection, selectionFlags, UsageError, type ClusterOptions } from './flags.js';
import type { Selection } from './selection.js';

export { defaultRequestTimeoutSeconds, type ClusterOptions } from './flags.js';

export const commandNames = ['list', 'export', 'visualize', 'diff', 'status', 'serve', 'reset', 'version'] as const;
export type CommandName = (typeof commandNames)[number];

/** How long a client must have learned nothing new to be ready to enforce; absent: the chart's value, read from the operator. */
export interface ReadinessOptions {
  stableForMs?: number;
  installNamespace: string;
}

export type Output = { type: 'stdout' } | { type: 'file'; path: string } | { type: 'dir'; path: string };

export type Command =
  | { kind: 'help'; topic?: CommandName }
  | { kind: 'version' }
  | { kind: 'list'; selection: Selection; cluster: ClusterOptions; readiness?: ReadinessOptions }
  | {
      kind: 'export';
      selection: Selection;
      cluster: ClusterOptions;
      format: ExportFormat | 'networkpolicy';
      apiVersion: ExportApiVersion;
      output: Output;
      /** `--format networkpolicy` only. */
      policy?: { egress: boolean; readyOnly?: ReadinessOptions };
      /** `--only-undeclared`: what to commit next, from the operator's drift report in this namespace (docs/gitops.md). */
      onlyUndeclared?: { installNamespace: string };
    }
  | VisualizeCommand
  | DiffCommand
  | ResetCommand
  | StatusCommand
  | ServeCommand;

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string; topic?: CommandName };

const readinessFlags = {
  'stable-for': { type: 'string' },
  'install-namespace': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const flagsOf = {
  list: { ...clusterFlags, ...selectionFlags, ...help, ...readinessFlags, readiness: { type: 'boolean' } },
  export: {
    ...clusterFlags,
    ...selectionFlags,
    ...help,
    ...readinessFlags,
    egress: { type: 'boolean' },
    'ready-only': { type: 'boolean' },
    format: { type: 'string' },
    'api-version': { type: 'string' },
    output: { type: 'string', short: 'o' },
    'output-type': { type: 'string' },
    'only-undeclared': { type: 'boolean' },
  },
  visualize: visualizeFlags,
  diff: diffFlags,
  reset: resetFlags,
  status: statusFlags,
  serve: serveFlags,
  version: { ...help },
} as const satisfies Record<CommandName, ParseArgsConfig['options']>;

/** argv without node and the script: `list -n shop`, `export --format json`, ... */
export function parseCommand(argv: readonly string[]): ParseResult {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    if (first === 'help' && rest[0] !== undefined) {
      return isCommandName(rest[0]) ? ok({ kind: 'help', topic: rest[0] }) : usage(`unknown command "${rest[0]}"`);
    }
    return ok({ kind: 'help' });
  }
  if (first === '--version') return ok({ kind: 'version' });
  if (!isCommandName(first)) {
    return usage(first.startsWith('-') ? `a command must come first, not the flag "${first}"` : `unknown command "${first}"`);
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...rest], options: flagsOf[first], strict: true, allowPositionals: true }));
  } catch (error) {
    return usage(parseArgsMessage(error as Error), first);
  }
  if (values.help === true) return ok({ kind: 'help', topic: first });
  if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`, first);
  try {
    return ok(buildCommand(first, values));
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message, first);
    throw error;
  }
}

/** node:util's message, without its advice about positionals starting with '-'. */
function parseArgsMessage(error: Error): string {
  const text = error.message.split('\n', 1)[0]!.replace(/\. To specify a positional argument.*$/, '');
  return text.replace(/^Unknown option '([^']*)'$/, 'unknown flag $1');
}

function buildCommand(name: CommandName, values: Record<string, unknown>): Command {
  if (name === 'version') return { kind: 'version' };
  if (name === 'visualize') return buildVisualize(values);
  if (name === 'diff') return buildDiff(values);
  if (name === 'reset') return buildReset(values);
  if (name === 'status') return buildStatus(values);
  if (name === 'serve') return buildServe(values);
  const selection = parseSelection(values);
  const cluster = parseCluster(values);
  if (name === 'list') {
    if (values.readiness !== true) {
      if (values['stable-for'] !== undefined) throw new UsageError('--stable-for needs --readiness');
      return { kind: 'list', selection, cluster };
    }
    return { kind: 'list', selection, cluster, readiness: parseReadiness(values) };
  }
  const format = oneOf('--format', values.format, [...exportFormats, 'networkpolicy'] as const, 'yaml');
  const policyOnly = (['egress', 'ready-only', 'stable-for'] as const).find((flag) => values[flag] !== undefined);
  if (format === 'networkpolicy' && values['only-undeclared'] === true) throw new UsageError('--only-undeclared exports ClientIntents: --format networkpolicy does not apply');
  if (format !== 'networkpolicy' && policyOnly) throw new UsageError(`--${policyOnly} needs --format networkpolicy`);
  if (values['stable-for'] !== undefined && values['ready-only'] !== true) throw new UsageError('--stable-for needs --ready-only');
  const apiVersion = oneOf('--api-version', values['api-version'], exportApiVersions, 'v2beta1');
  const outputType = oneOf('--output-type', values['output-type'], ['file', 'dir'] as const, 'file');
  const path = values.output as string | undefined;
  if (path === '') throw new UsageError('-o/--output needs a path');
  if (outputType === 'dir' && path === undefined) throw new UsageError('--output-type dir needs -o DIR');
  const output: Output = path === undefined ? { type: 'stdout' } : { type: outputType, path };
  if (format === 'networkpolicy') {
    if (selection.includeUserManaged) throw new UsageError('--format networkpolicy exports what network-mapper observed: --all does not apply');
    if (selection.excludeLabels.length > 0) throw new UsageError('--exclude-labels does not apply to --format networkpolicy: a policy is planned from every client (-n, --server and --exclude-services pick the policies)');
    const readyOnly = values['ready-only'] === true ? parseReadiness(values) : undefined;
    return { kind: 'export', selection, cluster, format, apiVersion, output, policy: { egress: values.egress === true, ...(readyOnly ? { readyOnly } : {}) } };
  }
  if (values['only-undeclared'] === true) {
    if (selection.includeUserManaged) throw new UsageError('--only-undeclared exports what the declared ClientIntents lack: --all does not apply');
    // The declared objects are read too: their names and targets are the base of each file.
    return { kind: 'export', selection: { ...selection, includeUserManaged: true }, cluster, format, apiVersion, output, onlyUndeclared: { installNamespace: parseInstall(values).namespace } };
  }
  return { kind: 'export', selection, cluster, format, apiVersion, output };
}

function parseReadiness(values: Record<string, unknown>): ReadinessOptions {
  const text = values['stable-for'] as string | undefined;
  const installNamespace = values['install-namespace'] === undefined ? defaultInstallNamespace : parseInstall(values).namespace;
  if (text === undefined) return { installNamespace };
  const stableForMs = parseDuration(text);
  if (stableForMs === undefined) throw new UsageError(`--stable-for: "${text}" is not a duration (e.g. 7d, 36h, 90m)`);
  return { stableForMs, installNamespace };
}

function isCommandName(value: string): value is CommandName {
  return (commandNames as readonly string[]).includes(value);
}

function ok(command: Command): ParseResult {
  return { ok: true, command };
}

function usage(error: string, topic?: CommandName): ParseResult {
  return topic ? { ok: false, error, topic } : { ok: false, error };
}
