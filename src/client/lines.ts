/**
 * Text lines from byte streams (watch bodies, process output) whose chunks end anywhere:
 * mid-line and mid-character.
 *
 * Lines are cut on the newline byte, which never occurs inside a multibyte UTF-8 sequence,
 * and each line is decoded once it is complete. So a character split across chunks is never
 * turned into U+FFFD (as decoding each chunk on its own does), and each byte is scanned once,
 * however long the line (a 1 MiB object in a watch arrives in many 16 KiB TLS records).
 */

export class LineSplitter {
  /** The bytes of the unfinished line: views of the chunks, not copies. */
  private pending: Buffer[] = [];

  /** The lines that `chunk` completes, without their "\n". */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) >= 0) {
      if (this.pending.length === 0) {
        lines.push(chunk.toString("utf8", start, nl));
      } else {
        this.pending.push(chunk.subarray(start, nl));
        lines.push(Buffer.concat(this.pending).toString("utf8"));
        this.pending = [];
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
    return lines;
  }

  /** The unterminated line so far ("" if none): the last line of a stream that ended. */
  rest(): string {
    return Buffer.concat(this.pending).toString("utf8");
  }
}

/**
 * The last lines of one or more streams (a process's stdout and stderr), kept so that an
 * error can say what the process said last. Each stream writes to its own `sink()`: chunks
 * of two streams interleave mid-line.
 */
export class LineTail {
  private readonly complete: string[] = [];
  private readonly splitters: LineSplitter[] = [];

  constructor(private readonly max: number) {}

  sink(): (chunk: Buffer) => void {
    const splitter = new LineSplitter();
    this.splitters.push(splitter);
    return (chunk) => {
      for (const line of splitter.push(chunk)) {
        this.complete.push(line);
        if (this.complete.length > this.max) this.complete.shift();
      }
    };
  }

  /** Up to `max` last lines, the streams' unterminated lines last. */
  lines(): string[] {
    const rests = this.splitters.map((s) => s.rest()).filter((r) => r !== "");
    return [...this.complete, ...rests].slice(-this.max);
  }
}
