import { createHash } from 'node:crypto';
import type { WorkloadIdentity } from './types.js';

/** ClientIntents names may not contain dots: Otterize writes them as underscores. */
export function intentsName(name: string): string {
  return name.replaceAll('.', '_');
}

/** How a target in `targetNamespace` is named from a client in `clientNamespace`. */
export function targetName(name: string, targetNamespace: string, clientNamespace: string): string {
  const base = intentsName(name);
  return targetNamespace === clientNamespace ? base : `${base}.${targetNamespace}`;
}

const maxObjectName = 253;

/**
 * A valid, stable metadata.name for a workload's ClientIntents. Kept equal to the workload name
 * when that is already a valid object name; otherwise lower-cased and cleaned, with a short
 * hash of the original so that two names cleaned to the same text do not collide.
 */
export function objectNameFor(identity: Pick<WorkloadIdentity, 'name'>): string {
  const raw = identity.name;
  if (isValidObjectName(raw)) return raw;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  let cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[^a-z0-9]+$/, '');
  cleaned = cleaned.slice(0, maxObjectName - hash.length - 1).replace(/[^a-z0-9]+$/, '');
  return cleaned ? `${cleaned}-${hash}` : `workload-${hash}`;
}

export function isValidObjectName(name: string): boolean {
  return name.length <= maxObjectName && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}
