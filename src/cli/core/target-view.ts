import type { RawTarget } from './intents-object.js';

/** What a target points at, with `name` / `name.namespace` resolved against the client's namespace. */
export type TargetView =
  | { type: 'kubernetes'; name: string; namespace: string; kind?: string; http: HttpView[] }
  | { type: 'service'; name: string; namespace: string; http: HttpView[] }
  | { type: 'kafka'; name: string; namespace: string; topics: { name: string; operations: string[] }[] }
  | { type: 'internet'; domains: string[]; ips: string[]; ports: number[] }
  | { type: 'other'; key: string; value: unknown };

export interface HttpView {
  path: string;
  methods: string[];
}

export function viewTarget(target: RawTarget, clientNamespace: string): TargetView {
  const [key, value] = Object.entries(target).find(([, v]) => v !== undefined && v !== null) ?? ['(empty)', undefined];
  const body = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const name = typeof body.name === 'string' ? body.name : undefined;
  switch (key) {
    case 'kubernetes':
      if (name === undefined) break;
      return {
        type: 'kubernetes',
        ...splitName(name, clientNamespace),
        ...(typeof body.kind === 'string' ? { kind: body.kind } : {}),
        http: httpViews(body.http),
      };
    case 'service':
      if (name === undefined) break;
      return { type: 'service', ...splitName(name, clientNamespace), http: httpViews(body.http) };
    case 'kafka':
      if (name === undefined) break;
      return { type: 'kafka', ...splitName(name, clientNamespace), topics: topicViews(body.topics) };
    case 'internet':
      return { type: 'internet', domains: strings(body.domains), ips: strings(body.ips), ports: numbers(body.ports) };
  }
  return { type: 'other', key, value };
}

/** Whether the target is the in-cluster server `name.namespace` (workload, Service or Kafka). */
export function targetIs(view: TargetView, server: { name: string; namespace: string }): boolean {
  return (
    (view.type === 'kubernetes' || view.type === 'service' || view.type === 'kafka') &&
    view.name === server.name &&
    view.namespace === server.namespace
  );
}

function splitName(name: string, clientNamespace: string): { name: string; namespace: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { name, namespace: clientNamespace } : { name: name.slice(0, dot), namespace: name.slice(dot + 1) };
}

function httpViews(value: unknown): HttpView[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    const { path, methods } = (item ?? {}) as { path?: unknown; methods?: unknown };
    return typeof path === 'string' ? [{ path, methods: strings(methods) }] : [];
  });
}

function topicViews(value: unknown): { name: string; operations: string[] }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    const { name, operations } = (item ?? {}) as { name?: unknown; operations?: unknown };
    return typeof name === 'string' ? [{ name, operations: strings(operations) }] : [];
  });
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}
