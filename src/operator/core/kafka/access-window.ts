import type { KafkaOperation } from './kafka-operations.js';
import type { IgnoredReason, TopicAccess } from './authorizer-line.js';

/** Why a line gave no access: the parser's reasons, and the watcher's own. */
export type WindowReason = IgnoredReason | 'window-full' | 'line-too-long' | 'no-timestamp';

/** The same client host using the same topic the same way, from first to last line, `count` lines. */
export interface AccessGroup {
  readonly host: string;
  readonly topic: string;
  readonly operation: KafkaOperation;
  first: number;
  last: number;
  count: number;
}

/** What one broker's lines of one window came to: the accesses grouped, the other lines by reason. */
export interface WindowContents {
  readonly groups: AccessGroup[];
  readonly ignored: Map<WindowReason, number>;
  readonly lines: number;
}

/**
 * One broker's topic accesses between two flushes. A busy broker logs thousands of identical
 * lines a second (every Produce and Fetch is authorized); grouped, a window holds one entry per
 * (host, topic, operation), at most `maxGroups` (a new group beyond it is counted as
 * `window-full` and dropped: the groups already held keep being refreshed).
 */
export class AccessWindow {
  private groups = new Map<string, AccessGroup>();
  private ignored = new Map<WindowReason, number>();
  private lines = 0;

  constructor(private readonly maxGroups: number) {}

  get size(): number {
    return this.groups.size;
  }

  add(at: number, access: TopicAccess): void {
    this.lines++;
    // Host, topic and operation cannot hold a space.
    const key = `${access.host} ${access.topic} ${access.operation}`;
    const group = this.groups.get(key);
    if (group) {
      if (at < group.first) group.first = at;
      if (at > group.last) group.last = at;
      group.count++;
      return;
    }
    if (this.groups.size >= this.maxGroups) {
      this.ignore('window-full');
      this.lines--;
      return;
    }
    this.groups.set(key, { host: access.host, topic: access.topic, operation: access.operation, first: at, last: at, count: 1 });
  }

  ignore(reason: WindowReason): void {
    this.lines++;
    this.ignored.set(reason, (this.ignored.get(reason) ?? 0) + 1);
  }

  /** What was gathered since the last flush; the window starts empty again. */
  flush(): WindowContents {
    const contents = { groups: [...this.groups.values()], ignored: this.ignored, lines: this.lines };
    this.groups = new Map();
    this.ignored = new Map();
    this.lines = 0;
    return contents;
  }
}
