import type { IntentsObject } from './intents-object.js';
import { describeKafkaTarget } from './kafka/kafka-format.js';
import { compare, sortIntents } from './selection.js';
import { viewTarget, type TargetView } from './target-view.js';

/**
 * The text users know from the reference mapper's `list`:
 *   client in namespace shop calls:
 *     - server in namespace shop
 */
export function renderList(objects: readonly IntentsObject[]): string {
  return sortIntents(objects)
    .map((object) => {
      const header = `${object.workload.name} in namespace ${object.namespace} calls`;
      const lines = sortedTargetLines(object);
      return lines.length === 0 ? `${header} nothing\n` : `${header}:\n${lines.map((line) => `  - ${line}\n`).join('')}`;
    })
    .join('');
}

function sortedTargetLines(object: IntentsObject): string[] {
  const views = object.targets.map((t) => viewTarget(t, object.namespace));
  const keyed = views.map((view) => ({ key: sortKey(view), line: describeTarget(view) }));
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
      return `${view.name} in namespace ${view.namespace}${kind}${describeHttp(view.http)}`;
    }
    case 'service':
      return `${view.name} in namespace ${view.namespace} (Service)${describeHttp(view.http)}`;
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

function describeHttp(http: readonly { path: string; methods: string[] }[]): string {
  if (http.length === 0) return '';
  return ` (HTTP ${http.map((h) => `${h.methods.length ? `${h.methods.join(',')} ` : ''}${h.path}`).join('; ')})`;
}
