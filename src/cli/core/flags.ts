import type { ParseArgsConfig } from 'node:util';
import type { Selection, ServiceRef } from './selection.js';

/** Flags and value parsers every command shares: kubectl's cluster flags and the selection. */

/** How to reach the cluster: kubectl's flags of the same names. */
export interface ClusterOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly requestTimeoutSeconds: number;
}

export const defaultRequestTimeoutSeconds = 30;

export const clusterFlags = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'request-timeout': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const selectionFlags = {
  namespace: { type: 'string', short: 'n', multiple: true },
  'all-namespaces': { type: 'boolean', short: 'A' },
  server: { type: 'string' },
  all: { type: 'boolean' },
  'exclude-services': { type: 'string', multiple: true },
  'exclude-labels': { type: 'string', multiple: true },
} as const satisfies ParseArgsConfig['options'];

export const help = { help: { type: 'boolean', short: 'h' } } as const satisfies ParseArgsConfig['options'];

/** A flag value the user must fix: reported with the command's help hint (exit code 2). */
export class UsageError extends Error {}

export function parseSelection(values: Record<string, unknown>): Selection {
  const namespaces = [...new Set(((values.namespace as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()))];
  for (const namespace of namespaces) {
    if (!isDnsLabel(namespace)) throw new UsageError(`-n/--namespace: "${namespace}" is not a namespace name`);
  }
  if (values['all-namespaces'] === true && namespaces.length > 0) throw new UsageError('-A/--all-namespaces and -n/--namespace exclude each other');
  const server = values.server === undefined ? undefined : parseServer(values.server as string);
  const excludeServices = listValues(values['exclude-services']).map(parseServiceRef);
  const excludeLabels = listValues(values['exclude-labels']).map(parseLabel);
  return { namespaces, ...(server ? { server } : {}), includeUserManaged: values.all === true, excludeServices, excludeLabels };
}

/** A repeatable flag whose values may also be comma-separated, without duplicates or blanks. */
export function listValues(value: unknown): string[] {
  return [...new Set(((value as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()))].filter((v) => v !== '');
}

function parseServiceRef(value: string): ServiceRef {
  const dot = value.indexOf('.');
  const name = dot < 0 ? value : value.slice(0, dot);
  const namespace = dot < 0 ? undefined : value.slice(dot + 1);
  if (!isDnsLabel(name) || (namespace !== undefined && !isDnsLabel(namespace))) {
    throw new UsageError(`--exclude-services: "${value}" is not "name" or "name.namespace" (e.g. --exclude-services prometheus,coredns.kube-system)`);
  }
  return namespace === undefined ? { name } : { name, namespace };
}

const labelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseLabel(value: string): { key: string; value: string } {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  const labelValueText = eq < 0 ? '' : value.slice(eq + 1);
  if (eq < 0 || !labelKey.test(key) || key.split('/').at(-1)!.length > 63 || labelValueText.length > 63 || !labelValue.test(labelValueText)) {
    throw new UsageError(`--exclude-labels: "${value}" is not key=value with a Kubernetes label key and value (e.g. --exclude-labels app=debug,tier=test)`);
  }
  return { key, value: labelValueText };
}

function parseServer(value: string): { name: string; namespace: string } {
  const [name, namespace, ...rest] = value.split('.');
  if (name === undefined || namespace === undefined || rest.length > 0 || name === '' || !isDnsLabel(namespace)) {
    throw new UsageError(`--server: "${value}" is not "name.namespace" (e.g. --server payments.billing)`);
  }
  return { name, namespace };
}

export function parseCluster(values: Record<string, unknown>): ClusterOptions {
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

export function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  throw new UsageError(`${flag}: "${String(value)}" is not one of ${allowed.join(', ')}`);
}

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}
