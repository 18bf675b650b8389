import { createHash } from 'node:crypto';
import { maxDnsNameLength } from '../../crds/bounds.js';

/** Kubernetes label values: at most 63 characters, alphanumeric at both ends. */
const maxLabelValueLength = 63;
const hashLength = 10;

/**
 * The name of one part of one window: the same node, window start and part always give the same
 * name, so a create that is retried after its response was lost meets its own object (409)
 * instead of writing the records twice.
 */
export function observationObjectName(nodeName: string, windowStartMs: number, part: number): string {
  const suffix = `-${compactTimestamp(windowStartMs)}-p${part}`;
  return `${boundedName(nodeName, maxDnsNameLength - suffix.length, /[^a-z0-9.-]/g)}${suffix}`;
}

/** The node as a label value (node names may be longer than a label value may be). */
export function nodeLabelValue(nodeName: string): string {
  return boundedName(nodeName, maxLabelValueLength, /[^a-zA-Z0-9._-]/g, false);
}

/** 2026-11-26T03:19:00.123Z -> 20261126t031900123z: sortable, and valid in a DNS-1123 name. */
function compactTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '').toLowerCase();
}

/**
 * `value` itself when it is already valid and short enough; otherwise a cleaned prefix and a
 * hash of the original, so that two different nodes never share a name.
 */
function boundedName(value: string, maxLength: number, invalid: RegExp, lowerCase = true): string {
  const cleaned = (lowerCase ? value.toLowerCase() : value).replace(invalid, '-');
  const valid = cleaned === value && /^[a-zA-Z0-9]/.test(value) && /[a-zA-Z0-9]$/.test(value);
  if (valid && value.length <= maxLength) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, hashLength);
  const prefix = cleaned
    .slice(0, maxLength - hashLength - 1)
    .replace(/^[^a-zA-Z0-9]+/, '')
    .replace(/[^a-zA-Z0-9]+$/, '');
  return prefix ? `${prefix}-${hash}` : hash;
}

/**
 * A second name for a part whose deterministic name is taken by an object with other records
 * (another sniffer of the same node started in the same millisecond): derived from the content,
 * so retrying it stays idempotent too.
 */
export function conflictFreeName(name: string, contentHash: string): string {
  const suffix = `-${contentHash.slice(0, hashLength)}`;
  return `${name.slice(0, maxDnsNameLength - suffix.length).replace(/[^a-z0-9]+$/, '')}${suffix}`;
}
