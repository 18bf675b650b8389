import { bookkeepingAnnotationPrefix } from '../../shared/ownership.js';
import { maxPortsPerTarget, sortedPorts, type PortSeen } from './port-evidence.js';
import { captureOrder, type Capture } from './types.js';

/** When a target was first and last seen, by which captures, and on which server ports. */
export interface Evidence {
  firstSeen: number;
  lastSeen: number;
  captures: Set<Capture>;
  /** Server port -> when seen (port-evidence.ts); absent or empty when no connection carried one. */
  ports?: Map<number, PortSeen>;
}

export const evidenceAnnotation = `${bookkeepingAnnotationPrefix}evidence`;
export const evidenceWrittenAtAnnotation = `${bookkeepingAnnotationPrefix}evidence-written-at`;
/** How many targets' evidence was left out of `evidenceAnnotation` to keep it under its budget. */
export const evidenceTruncatedAnnotation = `${bookkeepingAnnotationPrefix}evidence-truncated`;
/**
 * The API server refuses an object whose annotations total more than 256 KiB; the evidence of
 * 1024 targets with the longest names is ~360 KiB. 200 KiB leaves 56 KiB for everybody else's
 * annotations (kubectl's last-applied copy of a small object, tools' own).
 */
export const evidenceBudgetBytes = 200 * 1024;

interface EncodedEvidence {
  readonly first: string;
  readonly last: string;
  readonly by: Capture[];
  /** Only when a port was seen: `{"5432": {"first": ..., "last": ...}}`. */
  readonly ports?: Record<string, { first: string; last: string }>;
}

/** Second precision, so that a value read back compares equal to the one written. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function encodeOne(e: Evidence): EncodedEvidence {
  const encoded = { first: isoSeconds(e.firstSeen), last: isoSeconds(e.lastSeen), by: captureOrder.filter((c) => e.captures.has(c)) };
  if (!e.ports || e.ports.size === 0) return encoded;
  const ports: Record<string, { first: string; last: string }> = {};
  for (const port of sortedPorts(e.ports)) {
    const seen = e.ports.get(port)!;
    ports[String(port)] = { first: isoSeconds(seen.firstSeen), last: isoSeconds(seen.lastSeen) };
  }
  return { ...encoded, ports };
}

export function encodeEvidence(entries: ReadonlyMap<string, Evidence>): string {
  const sorted = [...entries.keys()].sort();
  const out: Record<string, EncodedEvidence> = {};
  for (const key of sorted) out[key] = encodeOne(entries.get(key)!);
  return JSON.stringify(out);
}

/**
 * The evidence that fits `budgetBytes` once encoded: the most recently seen targets first (ties
 * by key, so the choice is deterministic), and how many were left out.
 */
export function capEvidence(entries: ReadonlyMap<string, Evidence>, budgetBytes = evidenceBudgetBytes): { kept: Map<string, Evidence>; omitted: number } {
  const byRecency = [...entries.entries()].sort(([ka, a], [kb, b]) => Math.floor(b.lastSeen / 1000) - Math.floor(a.lastSeen / 1000) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const kept = new Map<string, Evidence>();
  let bytes = 2;
  for (const [key, e] of byRecency) {
    bytes += Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(encodeOne(e))) + 2;
    if (bytes > budgetBytes) break;
    kept.set(key, e);
  }
  return { kept, omitted: entries.size - kept.size };
}

/** The evidence annotations of one write; the truncation mark only when something was left out. */
export function evidenceAnnotations(entries: ReadonlyMap<string, Evidence>, now: number): Record<string, string> {
  const { kept, omitted } = capEvidence(entries);
  const annotations: Record<string, string> = { [evidenceAnnotation]: encodeEvidence(kept), [evidenceWrittenAtAnnotation]: isoSeconds(now) };
  if (omitted > 0) annotations[evidenceTruncatedAnnotation] = String(omitted);
  return annotations;
}

/** Tolerates anything: a hand-edited or foreign annotation yields no evidence rather than an error. */
export function decodeEvidence(text: string | undefined): Map<string, Evidence> {
  const result = new Map<string, Evidence>();
  if (!text) return result;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return result;
  }
  if (typeof parsed !== 'object' || parsed === null) return result;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const v = value as Partial<EncodedEvidence> | null;
    const first = typeof v?.first === 'string' ? Date.parse(v.first) : NaN;
    const last = typeof v?.last === 'string' ? Date.parse(v.last) : NaN;
    if (Number.isNaN(first) || Number.isNaN(last)) continue;
    const captures = new Set<Capture>((Array.isArray(v?.by) ? v.by : []).filter((c): c is Capture => captureOrder.includes(c as Capture)));
    const ports = decodePorts(v?.ports);
    result.set(key, ports.size > 0 ? { firstSeen: first, lastSeen: last, captures, ports } : { firstSeen: first, lastSeen: last, captures });
  }
  return result;
}

/** Valid TCP ports with valid times, at most maxPortsPerTarget of them; anything else is passed over. */
function decodePorts(value: unknown): Map<number, PortSeen> {
  const ports = new Map<number, PortSeen>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ports;
  for (const [text, seen] of Object.entries(value as Record<string, unknown>)) {
    const port = Number(text);
    const s = seen as { first?: unknown; last?: unknown } | null;
    const first = typeof s?.first === 'string' ? Date.parse(s.first) : NaN;
    const last = typeof s?.last === 'string' ? Date.parse(s.last) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535 || Number.isNaN(first) || Number.isNaN(last)) continue;
    if (ports.size < maxPortsPerTarget) ports.set(port, { firstSeen: first, lastSeen: last });
  }
  return ports;
}

/**
 * Whether `desired` has a port that `written` lacks: a change written at once, as a new target
 * is. Not for a target whose written ports are at the bound already: a client sweeping ports
 * would otherwise turn every window into a write (an evicted port comes back "new"); those
 * changes wait for the evidence interval.
 */
export function portsAdded(desired: ReadonlyMap<string, Evidence>, written: ReadonlyMap<string, Evidence>): boolean {
  for (const [key, e] of desired) {
    const had = written.get(key)?.ports;
    if ((had?.size ?? 0) >= maxPortsPerTarget) continue;
    for (const port of e.ports?.keys() ?? []) if (!had?.has(port)) return true;
  }
  return false;
}

/**
 * Whether the evidence changed enough to be worth a write: a target or capture appeared or
 * went, a first-seen moved, or a last-seen moved by at least `lastSeenStepMs`.
 */
export function evidenceDiffers(a: ReadonlyMap<string, Evidence>, b: ReadonlyMap<string, Evidence>, lastSeenStepMs: number): boolean {
  if (a.size !== b.size) return true;
  for (const [key, x] of a) {
    const y = b.get(key);
    if (!y) return true;
    if (Math.floor(x.firstSeen / 1000) !== Math.floor(y.firstSeen / 1000)) return true;
    if (Math.abs(x.lastSeen - y.lastSeen) >= Math.max(lastSeenStepMs, 1000)) return true;
    if (x.captures.size !== y.captures.size || [...x.captures].some((c) => !y.captures.has(c))) return true;
    if ((x.ports?.size ?? 0) !== (y.ports?.size ?? 0)) return true;
    for (const [port, seen] of x.ports ?? []) {
      const other = y.ports?.get(port);
      if (!other || Math.floor(seen.firstSeen / 1000) !== Math.floor(other.firstSeen / 1000)) return true;
      if (Math.abs(seen.lastSeen - other.lastSeen) >= Math.max(lastSeenStepMs, 1000)) return true;
    }
  }
  return false;
}
