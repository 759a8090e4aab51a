/**
 * What an operator says about its client's requests: the API server's warnings
 * (deprecated API versions, unknown or duplicate fields…), each distinct one logged once —
 * the server repeats a deprecation on every request, and a log that does too gets ignored.
 */
import type { Interceptor } from "../../client/intercept.js";
import type { Logger } from "../log.js";

/** Distinct messages remembered; past this, a rare new one may be logged twice. */
const REMEMBERED = 1000;

export function logWarnings(log: Logger): Interceptor {
  const seen = new Set<string>();
  return {
    after(req, res) {
      for (const warning of res.warnings) {
        if (seen.has(warning)) continue;
        if (seen.size >= REMEMBERED) seen.clear();
        seen.add(warning);
        log.warn({ verb: req.verb, object: req.object }, `API server warning: ${warning}`);
      }
    },
  };
}
