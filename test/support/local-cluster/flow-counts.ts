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

/**
 * How many calls of `url` one pod's log shows refused at its very start and then answered: its
 * first call lies in [from, to) (the pod started under enforcement), it failed, and a later call
 * was answered (in the window or just after it, before the log was read); only refusals in the
 * window count. Label-based enforcement (Otterize's) admits a pod only once it is
 * labelled, after it is created; a client that retries gets through. A pod whose calls never
 * succeed, or that fails again after succeeding, has none: those failures stay failures.
 */
export function firstCallsRefused(log: string, url: string, from: number, to: number): number {
  const results: { at: number; ok: boolean }[] = [];
  for (const line of log.split('\n')) {
    const match = /^(\S+) \S+ (\S+) -> (\S+)$/.exec(line.trim());
    if (!match || match[2] !== url) continue;
    const at = Date.parse(match[1]!);
    if (!Number.isNaN(at)) results.push({ at, ok: callSucceeded(match[3]!) });
  }
  if (results.length === 0 || results[0]!.at < from || results[0]!.at >= to) return 0;
  const firstSuccess = results.findIndex((r) => r.ok);
  // The answer may come just after the window (its log is read a moment later): the pod recovered.
  if (firstSuccess <= 0) return 0;
  const refused = results.slice(0, firstSuccess).filter((r) => r.at < to).length;
  return results.slice(firstSuccess).some((r) => !r.ok && r.at < to) ? 0 : refused;
}
