import type { AccessWindow } from './access-window.js';
import { readAuthorizerLine } from './authorizer-line.js';
import { LineSplitter } from './line-splitter.js';
import { splitStampedLine, type LogCursor } from './log-cursor.js';

/**
 * One broker log request's text, as the API server sends it in chunks, into the broker's window:
 * split into lines (bounded), the kubelet's timestamp read, lines read before a resume skipped
 * by the cursor, the rest parsed into topic accesses or counted reasons. Pure: the shell hands
 * it the chunks.
 */
export class BrokerLogReader {
  private readonly splitter: LineSplitter;
  /** Lines skipped because they were read before a resume (not counted again). */
  alreadyRead = 0;
  lastLineAt: number | undefined;

  constructor(
    private readonly cursor: LogCursor,
    private readonly window: AccessWindow,
    maxLineLength: number,
  ) {
    cursor.restart();
    this.splitter = new LineSplitter(maxLineLength);
  }

  push(chunk: string): void {
    const droppedBefore = this.splitter.dropped;
    for (const line of this.splitter.push(chunk)) this.line(line);
    for (let i = droppedBefore; i < this.splitter.dropped; i++) this.window.ignore('line-too-long');
  }

  /** The request ended: an unfinished last line is dropped (it comes again on resume). */
  end(): void {
    this.splitter.end();
  }

  private line(line: string): void {
    const stamped = splitStampedLine(line);
    if (!stamped) {
      this.window.ignore('no-timestamp');
      return;
    }
    if (!this.cursor.accept(stamped.stamp)) {
      this.alreadyRead++;
      return;
    }
    this.lastLineAt = stamped.at;
    const result = readAuthorizerLine(stamped.text);
    if (result.ok) this.window.add(stamped.at, result.access);
    else this.window.ignore(result.reason);
  }
}
