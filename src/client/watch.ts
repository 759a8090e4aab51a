/**
 * Watch streams.
 *
 * `watchStream()` is one HTTP watch: an async iterator of typed events that
 * - tracks the resourceVersion (bookmarks included) in `state.resourceVersion`;
 * - turns an in-stream ERROR event into the typed error (410 → GoneError) and throws it;
 * - cuts the stream when nothing (not even a bookmark) arrives for `inactivityMs`, and
 *   throws `WatchStalledError` — a stream that silently stops is the failure the official
 *   JavaScript client and kopf users keep hitting;
 * - ends normally when the server closes it (its `timeoutSeconds`).
 *
 * `watch()` (in client.ts) builds the resilient form on top: reconnect with backoff and
 * jitter from the last resourceVersion, and surface only GoneError, so callers relist.
 */
import type { IncomingMessage } from "node:http";
import { apiError, ClientError, type ApiStatus, type RequestDescription } from "./errors.js";
import { brand } from "../core/brand.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

export class WatchStalledError extends ClientError {
  override name = "WatchStalledError";
}

export interface WatchState {
  resourceVersion: string | undefined;
  /** Set when the initial-events-end bookmark of a streaming list arrived. */
  initialEventsEnded: boolean;
}

export async function* watchStream<T>(
  res: IncomingMessage,
  describe: RequestDescription,
  state: WatchState,
  inactivityMs: number,
): AsyncGenerator<WatchEvent<T>> {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      // Destroying the response with an error makes the pending read below throw it.
      res.destroy(
        new WatchStalledError(
          "watch",
          `${describe.verb} ${describe.object}: no event or bookmark for ${inactivityMs} ms; the stream was cut`,
        ),
      );
    }, inactivityMs);
  };
  arm();
  let buffered = "";
  try {
    for await (const chunk of res) {
      arm();
      buffered += (chunk as Buffer).toString("utf8");
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) yield decode<T>(line, describe, state);
      }
    }
  } finally {
    clearTimeout(timer);
    res.destroy();
  }
}

function decode<T>(line: string, describe: RequestDescription, state: WatchState): WatchEvent<T> {
  let ev: { type: string; object: unknown };
  try {
    ev = JSON.parse(line);
  } catch (e) {
    throw new ClientError("decode", `${describe.verb} ${describe.object}: unreadable watch event`, {
      cause: e,
    });
  }
  if (ev.type === "ERROR") {
    const status = ev.object as ApiStatus;
    throw apiError(describe, status.code ?? 500, status);
  }
  const obj = ev.object as {
    metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  };
  if (obj?.metadata?.resourceVersion) state.resourceVersion = obj.metadata.resourceVersion;
  if (ev.type === "BOOKMARK" && obj?.metadata?.annotations?.[INITIAL_EVENTS_END] === "true") {
    state.initialEventsEnded = true;
  }
  return ev as WatchEvent<T>;
}

brand({ WatchStalledError });
