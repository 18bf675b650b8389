import type { CursorState, LogStamp } from './log-cursor.js';

/**
 * The watcher's cursors as ConfigMap data (one key per broker pod, `namespace.name`), so a new
 * leader or a restarted operator resumes where the last one was. Reading tolerates anything:
 * an entry that does not decode is left out (that broker is read from the start of its log).
 */
export function encodeCursors(cursors: ReadonlyMap<string, CursorState>): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, c] of [...cursors].sort(([a], [b]) => (a < b ? -1 : 1))) {
    data[key] = JSON.stringify({
      podUid: c.source.podUid,
      container: c.source.container,
      restartCount: c.source.restartCount,
      ...(c.last ? { last: stampText(c.last), linesAtLast: c.linesAtLast } : {}),
    });
  }
  return data;
}

export function decodeCursors(data: Readonly<Record<string, string>> | undefined): Map<string, CursorState> {
  const out = new Map<string, CursorState>();
  for (const [key, text] of Object.entries(data ?? {})) {
    // Broker keys are `namespace.name`; keys without a dot (the watcher's `status`) are not cursors.
    if (!key.includes('.')) continue;
    let v: { podUid?: unknown; container?: unknown; restartCount?: unknown; last?: unknown; linesAtLast?: unknown };
    try {
      v = JSON.parse(text) as typeof v;
    } catch {
      continue;
    }
    if (typeof v?.podUid !== 'string' || typeof v.container !== 'string' || !Number.isSafeInteger(v.restartCount)) continue;
    const source = { podUid: v.podUid, container: v.container, restartCount: v.restartCount as number };
    const last = typeof v.last === 'string' ? parseStampText(v.last) : undefined;
    if (last && Number.isSafeInteger(v.linesAtLast) && (v.linesAtLast as number) > 0) out.set(key, { source, last, linesAtLast: v.linesAtLast as number });
    else out.set(key, { source, linesAtLast: 0 });
  }
  return out;
}

/** `seconds.nanoseconds` (9 digits): exact, unlike a float. */
function stampText(stamp: LogStamp): string {
  return `${stamp.seconds}.${String(stamp.nanos).padStart(9, '0')}`;
}

function parseStampText(text: string): LogStamp | undefined {
  const m = /^(\d{1,12})\.(\d{9})$/.exec(text);
  return m ? { seconds: Number(m[1]), nanos: Number(m[2]) } : undefined;
}
