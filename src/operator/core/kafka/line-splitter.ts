/**
 * Splits a text stream into lines, holding at most `maxLineLength` characters of an unfinished
 * line: a longer line (no authorizer line comes near it) is dropped whole and counted, so one
 * runaway line cannot grow the buffer.
 */
export class LineSplitter {
  private partial = '';
  private overlong = false;
  /** Lines dropped for their length. */
  dropped = 0;

  constructor(private readonly maxLineLength: number) {}

  /** The complete lines in `chunk` (and before it); the rest waits for the next chunk. */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline >= 0; newline = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, newline);
      start = newline + 1;
      if (this.overlong || this.partial.length + piece.length > this.maxLineLength) this.dropped++;
      else lines.push(this.partial + piece);
      this.partial = '';
      this.overlong = false;
    }
    const rest = chunk.slice(start);
    if (this.overlong) return lines;
    if (this.partial.length + rest.length > this.maxLineLength) {
      this.partial = '';
      this.overlong = true;
    } else this.partial += rest;
    return lines;
  }

  /** The stream ended: an unfinished last line is not a line (it comes again on resume). */
  end(): void {
    this.partial = '';
    this.overlong = false;
  }
}
