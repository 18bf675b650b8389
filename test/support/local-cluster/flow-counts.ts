/** One client's calls of one target over a window, from the demo app's own log lines. */
export interface FlowCount {
  readonly url: string;
  readonly succeeded: number;
  readonly failed: number;
  /** The results that were failures, with how often each came. */
  readonly failures: Readonly<Record<string, number>>;
}

/** A call succeeded when the server answered: an HTTP status, or `closed` after a TCP server wrote. */
export function callSucceeded(result: string): boolean {
  return result === 'closed' || /^\d{3}$/.test(result);
}

/**
 * Counts the demo app's log lines (`<ISO time> <name> <url> -> <result>`) per URL, for calls
 * logged at or after `from` (ms) and before `to`. Other lines are ignored.
 */
export function countFlows(log: string, from: number, to: number): FlowCount[] {
  const counts = new Map<string, { succeeded: number; failed: number; failures: Record<string, number> }>();
  for (const line of log.split('\n')) {
    const match = /^(\S+) \S+ (\S+) -> (\S+)$/.exec(line.trim());
    if (!match) continue;
    const at = Date.parse(match[1]!);
    if (Number.isNaN(at) || at < from || at >= to) continue;
    const entry = counts.get(match[2]!) ?? { succeeded: 0, failed: 0, failures: {} };
    if (callSucceeded(match[3]!)) entry.succeeded++;
    else {
      entry.failed++;
      entry.failures[match[3]!] = (entry.failures[match[3]!] ?? 0) + 1;
    }
    counts.set(match[2]!, entry);
  }
  return [...counts].map(([url, c]) => ({ url, ...c })).sort((a, b) => a.url.localeCompare(b.url));
}
