/**
 * Progress of a long build, for a person: steps, which stay, and a status, which says where
 * the current step stands and is replaced by the next one. On a terminal the status is one
 * line rewritten in place (carriage return, clear line; cut to the terminal's width, since a
 * wrapped line can no longer be rewritten). Anywhere else — CI, a pipe, a log file — there is
 * no "in place": every write stays, so a status is written as a plain line at most once a
 * minute, and no control character is ever written.
 */

export interface Progress {
  /** A line that stays: what is starting or done. */
  step(line: string): void;
  /** Where the current step stands, replacing the previous status. */
  status(line: string): void;
}

/** What progress is written to: process.stdout or process.stderr, or a test's stand-in. */
export interface ProgressStream {
  /** Writes text as it is (no newline added). */
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const CLEAR_LINE = "\r\x1b[2K";

/** Progress on a stream: one updating status line on a terminal, a few plain lines elsewhere. */
export function progressOn(
  out: ProgressStream,
  opts: { now?: () => number; plainEveryMs?: number } = {},
): Progress {
  if (out.isTTY) {
    let shown = false;
    return {
      step(line) {
        out.write(`${shown ? CLEAR_LINE : ""}${line}\n`);
        shown = false;
      },
      status(line) {
        out.write(CLEAR_LINE + fit(line, (out.columns ?? 80) - 1));
        shown = true;
      },
    };
  }
  const now = opts.now ?? Date.now;
  const every = opts.plainEveryMs ?? 60_000;
  let last = now();
  const write = (line: string) => {
    last = now();
    out.write(`${line}\n`);
  };
  return {
    step: write,
    status(line) {
      if (now() - last >= every) write(line);
    },
  };
}

/** A caller's callback (every line, steps and status alike), or stderr by default. */
export function toProgress(callback?: (line: string) => void): Progress {
  if (!callback) return progressOn(process.stderr);
  return { step: callback, status: callback };
}

function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(width - 1, 0)).join("")}…`;
}
