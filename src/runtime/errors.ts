/**
 * How a handler or reconcile function asks for a retry or gives up (the "user intent"
 * family of errors), and the runtime's own failure class.
 *
 * - `TemporaryError({ delay })`: try again after `delay` ms (default: the queue's backoff).
 * - `PermanentError`: do not retry this change; it is reported in status and an Event and
 *   the object is handled again only when it changes.
 * - Anything else thrown: retried with per-object exponential backoff.
 *
 * Both take an optional `reason` (CamelCase, as Kubernetes reasons are): it becomes the reason
 * of the `Reconciled=False` condition and of the Warning Event, so `kubectl describe` shows
 * *why* (`Conflict`, `InvalidName`, `Reserved`…) instead of a generic failure.
 */
import { brand } from "../core/brand.js";

/** Thrown by user code: retry after `delay` ms (default: the backoff), with an optional `reason`. */
export class TemporaryError extends Error {
  override readonly name: string = "TemporaryError";
  readonly delayMs: number | undefined;
  readonly reason: string | undefined;
  constructor(message: string, opts: { delay?: number; cause?: unknown; reason?: string } = {}) {
    super(message, { cause: opts.cause });
    this.delayMs = opts.delay;
    this.reason = opts.reason;
  }
}

/** Thrown by user code: do not retry; handle the object again when it changes. */
export class PermanentError extends Error {
  override readonly name: string = "PermanentError";
  readonly reason: string | undefined;
  constructor(message: string, opts: { cause?: unknown; reason?: string } = {}) {
    super(message, { cause: opts.cause });
    this.reason = opts.reason;
  }
}

/** A handler ran past its `timeoutMs`; retried like any temporary failure. */
export class HandlerTimeoutError extends TemporaryError {
  override readonly name = "HandlerTimeoutError";
}

/**
 * A handler's failure, named: `handler <id>: <its message>`, with what it threw as `cause`.
 * Retried like any other error (user intent keeps its own class; see handlers/ids.ts).
 */
export class HandlerError extends Error {
  override readonly name = "HandlerError";
  constructor(
    readonly handler: string,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
  }
}

/** A failure of the runtime machinery itself (not of user code), naming the step. */
export class RuntimeError extends Error {
  override readonly name = "RuntimeError";
  constructor(
    readonly step: string,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(`${step}: ${message}`, { cause: opts.cause });
  }
}

brand({ TemporaryError, PermanentError, HandlerTimeoutError, HandlerError, RuntimeError });
