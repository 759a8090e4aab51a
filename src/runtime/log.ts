/**
 * Structured logs (pino): JSON lines by default, one line per event, every line of a
 * reconcile carrying `controller`, `key` and `reconcileId`. `CAPSTAN_LOG_LEVEL` sets the
 * level (default info); `CAPSTAN_LOG_FORMAT=pretty` prints a short human line instead.
 */
import { pino, type Logger } from "pino";

export type { Logger };

function prettyStream(): NodeJS.WritableStream {
  const levels: Record<number, string> = {
    10: "TRACE",
    20: "DEBUG",
    30: "INFO",
    40: "WARN",
    50: "ERROR",
    60: "FATAL",
  };
  return {
    write(line: string) {
      const {
        level,
        time,
        msg,
        controller,
        key,
        err,
        pid: _p,
        hostname: _h,
        reconcileId: _r,
        ...rest
      } = JSON.parse(line);
      const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
      const where = [controller, key].filter(Boolean).join(" ");
      const error = err ? ` — ${err.message ?? err}` : "";
      process.stderr.write(
        `${new Date(time).toISOString().slice(11, 23)} ${levels[level] ?? level} ${where ? `[${where}] ` : ""}${msg}${error}${extra}\n`,
      );
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}

/** A pino logger: JSON lines, or short human lines with `pretty` (`CAPSTAN_LOG_FORMAT=pretty`). */
export function createLogger(
  opts: { level?: string; pretty?: boolean; name?: string } = {},
): Logger {
  const level = opts.level ?? process.env.CAPSTAN_LOG_LEVEL ?? "info";
  const pretty = opts.pretty ?? process.env.CAPSTAN_LOG_FORMAT === "pretty";
  const options = { level, name: opts.name, base: undefined };
  return pretty ? pino(options, prettyStream()) : pino(options);
}
