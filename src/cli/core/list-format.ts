import type { IntentsTarget } from '../../crds/client-intents.js';
import { httpOverflowAnnotation } from '../../operator/core/http-intents.js';
import { fromIntentsTarget, targetKey } from '../../operator/core/target-ref.js';
import type { IntentsObject, RawTarget } from './intents-object.js';
import { describeKafkaTarget } from './kafka/kafka-format.js';
import { compare, sortIntents } from './selection.js';
import { viewTarget, type TargetView } from './target-view.js';

/**
 * The text users know from the reference mapper's `list`, HTTP resources as its lines under the
 * target (`path <path>, methods: [GET,POST]`):
 *   client in namespace shop calls:
 *     - server in namespace shop
 *       - path /users/{*}, methods: [GET,POST]
 */
export function renderList(objects: readonly IntentsObject[]): string {
  return sortIntents(objects)
    .map((object) => {
      const header = `${object.workload.name} in namespace ${object.namespace} calls`;
      const lines = sortedTargetLines(object);
      return lines.length === 0 ? `${header} nothing\n` : `${header}:\n${lines.map((line) => `  - ${line.replaceAll('\n', '\n    - ')}\n`).join('')}`;
    })
    .join('');
}

/** A target's line, and under it (after newlines) its HTTP resources and any paths left out for the cap. */
function sortedTargetLines(object: IntentsObject): string[] {
  const overflow = httpOverflowOf(object);
  const keyed = object.targets.map((raw) => {
    const view = viewTarget(raw, object.namespace);
    const http = view.type === 'kubernetes' || view.type === 'service' ? view.http.map((h) => `path ${h.path}, methods: [${h.methods.join(',')}]`) : [];
    const left = overflow.get(operatorKey(raw) ?? '');
    if (left) http.push(`${left} more requests to paths beyond the cap of distinct paths (not listed)`);
    return { key: sortKey(view), line: [describeTarget(view), ...http].join('\n') };
  });
  const unique = new Map(keyed.map((k) => [k.line, k]));
  return [...unique.values()]
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((k) => k.line);
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = compare(a[i] ?? '', b[i] ?? '');
    if (order !== 0) return order;
  }
  return 0;
}

/** In-cluster targets first (by namespace, then name), then the internet, then anything else. */
function sortKey(view: TargetView): string[] {
  switch (view.type) {
    case 'kubernetes':
    case 'service':
    case 'kafka':
      return ['0', view.namespace, view.name, view.type];
    case 'internet':
      return ['1', describeTarget(view)];
    case 'other':
      return ['2', describeTarget(view)];
  }
}

export function describeTarget(view: TargetView): string {
  switch (view.type) {
    case 'kubernetes': {
      const kind = view.kind === 'Service' ? ' (Service)' : '';
      return `${view.name} in namespace ${view.namespace}${kind}`;
    }
    case 'service':
      return `${view.name} in namespace ${view.namespace} (Service)`;
    case 'kafka':
      return describeKafkaTarget(view);
    case 'internet': {
      const where = [...view.domains, ...view.ips].join(', ');
      const ports = view.ports.length === 0 ? '' : ` on port${view.ports.length > 1 ? 's' : ''} ${view.ports.join(', ')}`;
      return `internet: ${where}${ports}`;
    }
    case 'other':
      return `${view.key}: ${JSON.stringify(view.value)}`;
  }
}

/** The operator's `netmap.dev/http-overflow` annotation: requests to paths left out, per target key. */
function httpOverflowOf(object: IntentsObject): Map<string, number> {
  try {
    const parsed = JSON.parse(object.annotations[httpOverflowAnnotation] ?? '{}') as Record<string, unknown>;
    return new Map(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0));
  } catch {
    return new Map();
  }
}

function operatorKey(raw: RawTarget): string | undefined {
  const [first] = fromIntentsTarget(raw as IntentsTarget);
  return first ? targetKey(first.ref) : undefined;
}
