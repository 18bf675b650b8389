import { parseArgs, type ParseArgsConfig } from 'node:util';
import { exportApiVersions, type ExportApiVersion } from './export-objects.js';
import { exportFormats, type ExportFormat } from './export-format.js';
import type { Selection } from './selection.js';

export const commandNames = ['list', 'export', 'version'] as const;
export type CommandName = (typeof commandNames)[number];

/** How to reach the cluster: kubectl's flags of the same names. */
export interface ClusterOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly requestTimeoutSeconds: number;
}

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
    };

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string; topic?: CommandName };

export const defaultRequestTimeoutSeconds = 30;

const clusterFlags = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'request-timeout': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const selectionFlags = {
  namespace: { type: 'string', short: 'n', multiple: true },
  'all-namespaces': { type: 'boolean', short: 'A' },
  server: { type: 'string' },
  all: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const help = { help: { type: 'boolean', short: 'h' } } as const satisfies ParseArgsConfig['options'];

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

class UsageError extends Error {}

/** node:util's message, without its advice about positionals starting with '-'. */
function parseArgsMessage(error: Error): string {
  const text = error.message.split('\n', 1)[0]!.replace(/\. To specify a positional argument.*$/, '');
  return text.replace(/^Unknown option '([^']*)'$/, 'unknown flag $1');
}

function buildCommand(name: CommandName, values: Record<string, unknown>): Command {
  if (name === 'version') return { kind: 'version' };
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

function parseSelection(values: Record<string, unknown>): Selection {
  const namespaces = [...new Set(((values.namespace as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()))];
  for (const namespace of namespaces) {
    if (!isDnsLabel(namespace)) throw new UsageError(`-n/--namespace: "${namespace}" is not a namespace name`);
  }
  if (values['all-namespaces'] === true && namespaces.length > 0) throw new UsageError('-A/--all-namespaces and -n/--namespace exclude each other');
  const server = values.server === undefined ? undefined : parseServer(values.server as string);
  return { namespaces, ...(server ? { server } : {}), includeUserManaged: values.all === true };
}

function parseServer(value: string): { name: string; namespace: string } {
  const [name, namespace, ...rest] = value.split('.');
  if (name === undefined || namespace === undefined || rest.length > 0 || name === '' || !isDnsLabel(namespace)) {
    throw new UsageError(`--server: "${value}" is not "name.namespace" (e.g. --server payments.billing)`);
  }
  return { name, namespace };
}

function parseCluster(values: Record<string, unknown>): ClusterOptions {
  const kubeconfig = values.kubeconfig as string | undefined;
  const context = values.context as string | undefined;
  if (kubeconfig === '') throw new UsageError('--kubeconfig needs a path');
  if (context === '') throw new UsageError('--context needs a name');
  const timeout = values['request-timeout'] as string | undefined;
  const requestTimeoutSeconds = timeout === undefined ? defaultRequestTimeoutSeconds : parseSeconds(timeout);
  return { ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}), requestTimeoutSeconds };
}

/** Seconds, optionally with kubectl's `s` or `m` suffix: 30, 30s, 2m. */
function parseSeconds(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(value);
  const seconds = match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : NaN;
  if (!(seconds > 0) || seconds > 3600) throw new UsageError(`--request-timeout: "${value}" is not a duration between 0 and 1h (e.g. 30s)`);
  return seconds;
}

function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  throw new UsageError(`${flag}: "${String(value)}" is not one of ${allowed.join(', ')}`);
}

function isDnsLabel(value: string): boolean {
  return value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
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
