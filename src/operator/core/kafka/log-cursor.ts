/**
 * Where the watcher is in one broker container's log, so that it resumes after a broker or
 * network-mapper restart without reading a line twice or skipping one it could still read.
 *
 * Lines come from the pods/log API with `timestamps=true`: each starts with the kubelet's
 * RFC 3339 timestamp (nanoseconds, trailing zeros dropped, so not fixed width) and a space.
 * A follow is resumed with `sinceTime`, which has whole seconds only: it returns again the lines
 * of that second already read. The cursor keeps the last timestamp and how many lines carried
 * exactly it, and skips those.
 */

/** A kubelet timestamp, comparable: whole seconds since the epoch and nanoseconds. */
export interface LogStamp {
  readonly seconds: number;
  readonly nanos: number;
}

export interface StampedLine {
  readonly stamp: LogStamp;
  /** Milliseconds since the epoch, for evidence and the IP history. */
  readonly at: number;
  /** The line as the container wrote it. */
  readonly text: string;
}

const stampPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

export function parseStamp(text: string): LogStamp | undefined {
  const m = stampPattern.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return { seconds: ms / 1000, nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** Splits `<timestamp> <line>`; undefined when the line does not start with a timestamp. */
export function splitStampedLine(line: string): StampedLine | undefined {
  const space = line.indexOf(' ');
  const stamp = parseStamp(space < 0 ? line : line.slice(0, space));
  if (!stamp) return undefined;
  return { stamp, at: stamp.seconds * 1000 + Math.floor(stamp.nanos / 1e6), text: space < 0 ? '' : line.slice(space + 1) };
}

export function compareStamps(a: LogStamp, b: LogStamp): number {
  return a.seconds - b.seconds || a.nanos - b.nanos;
}

/** One container of one broker pod: its log is new when either changes. */
export interface ContainerRef {
  readonly podUid: string;
  readonly container: string;
  /** The container's `restartCount` when its log was read. */
  readonly restartCount: number;
}

export interface CursorState {
  readonly source: ContainerRef;
  readonly last?: LogStamp;
  /** Lines read with exactly `last`. */
  readonly linesAtLast: number;
}

/** A position in one container's log; `accept` says whether a line is new. */
export class LogCursor {
  private last: LogStamp | undefined;
  private linesAtLast: number;
  /** Lines of `last` skipped again since the last resume. */
  private seenAgain = 0;

  constructor(readonly source: ContainerRef, state?: Pick<CursorState, 'last' | 'linesAtLast'>) {
    this.last = state?.last;
    this.linesAtLast = state?.last ? state.linesAtLast : 0;
  }

  /** True for a line after the position (it moves the position); false for one read before. */
  accept(stamp: LogStamp): boolean {
    if (this.last) {
      const order = compareStamps(stamp, this.last);
      if (order < 0) return false;
      if (order === 0) {
        if (this.seenAgain < this.linesAtLast) {
          this.seenAgain++;
          return false;
        }
        this.linesAtLast++;
        this.seenAgain = this.linesAtLast;
        return true;
      }
    }
    this.last = stamp;
    this.linesAtLast = 1;
    this.seenAgain = 1;
    return true;
  }

  /** Call before each new request: the lines of `last` come again from `sinceTime`. */
  restart(): void {
    this.seenAgain = 0;
  }

  /** `sinceTime` for a request resuming here (whole seconds, RFC 3339); undefined: from the start. */
  sinceTime(): string | undefined {
    return this.last ? new Date(Math.floor(this.last.seconds) * 1000).toISOString().replace('.000Z', 'Z') : undefined;
  }

  state(): CursorState {
    return this.last ? { source: this.source, last: this.last, linesAtLast: this.linesAtLast } : { source: this.source, linesAtLast: 0 };
  }
}

/** Why lines may be missing: the watcher counts these instead of pretending it read everything. */
export type GapReason = 'pod-replaced' | 'restarts-missed';

/**
 * How to read a broker container given where we were (`saved`, from before a restart or a
 * reconnect) and what runs now: the same container resumes at the cursor; after one restart
 * the rest of the previous container's log (`previous=true`) is read first, then the new one
 * from its start; after more than one restart, or in another pod, the lines in between cannot be
 * read back: a counted gap. With nothing saved the whole log the kubelet still keeps is read:
 * the IP history names the clients of old lines as it does for old observations.
 */
export type ResumePlan =
  | { readonly kind: 'resume'; readonly cursor: LogCursor }
  | { readonly kind: 'previous-then-current'; readonly previous: LogCursor; readonly current: LogCursor }
  | { readonly kind: 'from-start'; readonly cursor: LogCursor; readonly gap?: GapReason };

export function planResume(saved: CursorState | undefined, current: ContainerRef): ResumePlan {
  if (!saved) return { kind: 'from-start', cursor: new LogCursor(current) };
  const same = saved.source.podUid === current.podUid && saved.source.container === current.container;
  if (!same) return { kind: 'from-start', cursor: new LogCursor(current), gap: 'pod-replaced' };
  if (saved.source.restartCount === current.restartCount) return { kind: 'resume', cursor: new LogCursor(current, saved) };
  if (current.restartCount === saved.source.restartCount + 1) {
    return { kind: 'previous-then-current', previous: new LogCursor(saved.source, saved), current: new LogCursor(current) };
  }
  return { kind: 'from-start', cursor: new LogCursor(current), gap: 'restarts-missed' };
}
