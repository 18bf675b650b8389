import { parseArgs, type ParseArgsConfig } from 'node:util';
import { buildDiff, diffFlags, type DiffCommand } from './commands/diff.js';
import { buildReset, resetFlags, type ResetCommand } from './commands/reset.js';
import { buildServe, serveFlags, type ServeCommand } from './commands/serve.js';
import { buildStatus, statusFlags, type StatusCommand } from './commands/status.js';
import { buildVisualize, visualizeFlags, type VisualizeCommand } from './commands/visualize.js';
import { exportApiVersions, exportFormats, type ExportApiVersion, type ExportFormat } from './export-objects.js';
import { clusterFlags, help, oneOf, parseCluster, parseSelection, selectionFlags, UsageError, type ClusterOptions } from './flags.js';
import type { Selection } from './selection.js';

export { defaultRequestTimeoutSeconds, type ClusterOptions } from './flags.js';

export const commandNames = ['list', 'export', 'visualize', 'diff', 'status', 'serve', 'reset', 'version'] as const;
export type CommandName = (typeof commandNames)[number];

export type Output = { type: 'stdout' } | { type: 'file'; path: string } | { type: 'dir'; path: string };

export type Command =
  | { kind: 'help'; topic?: CommandName }
  | { kind: 'version' }
  | { kind: 'list'; selection: Selection; cluster: ClusterOptions }
  | {
      kind: 'export';
      selection: Selection;
      cluster: ClusterOptions;
      format: ExportFormat;
      apiVersion: ExportApiVersion;
      output: Output;
    }
  | VisualizeCommand
  | DiffCommand
  | ResetCommand
  | StatusCommand
  | ServeCommand;

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string; topic?: CommandName };

const flagsOf = {
  list: { ...clusterFlags, ...selectionFlags, ...help },
  export: {
    ...clusterFlags,
    ...selectionFlags,
    ...help,
    format: { type: 'string' },
    'api-version': { type: 'string' },
    output: { type: 'string', short: 'o' },
    'output-type': { type: 'string' },
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
  if (name === 'list') return { kind: 'list', selection, cluster };
  const format = oneOf('--format', values.format, exportFormats, 'yaml');
  const apiVersion = oneOf('--api-version', values['api-version'], exportApiVersions, 'v2beta1');
  const outputType = oneOf('--output-type', values['output-type'], ['file', 'dir'] as const, 'file');
  const path = values.output as string | undefined;
  if (path === '') throw new UsageError('-o/--output needs a path');
  if (outputType === 'dir' && path === undefined) throw new UsageError('--output-type dir needs -o DIR');
  const output: Output = path === undefined ? { type: 'stdout' } : { type: outputType, path };
  return { kind: 'export', selection, cluster, format, apiVersion, output };
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
