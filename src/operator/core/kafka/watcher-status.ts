/**
 * What the leader's Kafka watcher tells `kubectl netmap status`, kept in the cursor ConfigMap
 * under `status` (JSON): the brokers followed and their last line, lines read by result since
 * this leader started the watcher, gaps. Decoding tolerates anything (an older or foreign value
 * gives undefined, and `status` says it cannot read it).
 */
export interface WatcherStatus {
  /** When the leader wrote it (ms). */
  readonly at: number;
  readonly brokers: readonly { readonly namespace: string; readonly name: string; readonly lastLineAt?: number }[];
  readonly accessLines: number;
  readonly ignored: Readonly<Record<string, number>>;
  readonly unresolved: Readonly<Record<string, number>>;
  readonly gaps: Readonly<Record<string, number>>;
  readonly brokersLeftOut: number;
}

export const watcherStatusKey = 'status';

export function encodeWatcherStatus(status: WatcherStatus): string {
  return JSON.stringify(status);
}

export function decodeWatcherStatus(text: string | undefined): WatcherStatus | undefined {
  if (!text) return undefined;
  let v: Partial<WatcherStatus>;
  try {
    v = JSON.parse(text) as Partial<WatcherStatus>;
  } catch {
    return undefined;
  }
  if (typeof v?.at !== 'number' || !Array.isArray(v.brokers) || typeof v.accessLines !== 'number') return undefined;
  const counts = (value: unknown): Record<string, number> =>
    Object.fromEntries(Object.entries(typeof value === 'object' && value !== null ? value : {}).filter((e): e is [string, number] => typeof e[1] === 'number'));
  return {
    at: v.at,
    brokers: v.brokers.flatMap((b: { namespace?: unknown; name?: unknown; lastLineAt?: unknown }) =>
      typeof b?.namespace === 'string' && typeof b.name === 'string' ? [{ namespace: b.namespace, name: b.name, ...(typeof b.lastLineAt === 'number' ? { lastLineAt: b.lastLineAt } : {}) }] : [],
    ),
    accessLines: v.accessLines,
    ignored: counts(v.ignored),
    unresolved: counts(v.unresolved),
    gaps: counts(v.gaps),
    brokersLeftOut: typeof v.brokersLeftOut === 'number' ? v.brokersLeftOut : 0,
  };
}
