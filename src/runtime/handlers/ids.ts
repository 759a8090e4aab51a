/**
 * Handler ids, as kopf makes them: the function's name (`create_fn`), or the `id` option;
 * a field handler's id ends in its field (`on_size/spec.size`). A function without a name
 * (an inline arrow) gets its cause and its position among the set's unnamed handlers of
 * that cause (`create`, `create-1`), which stays stable while the code does.
 *
 * A failure names its handler: `named(id, e)` returns an error of the same intent (a
 * PermanentError stays permanent, a TemporaryError keeps its delay) whose message starts
 * with the id, so the log, the Warning Event and the `Reconciled` condition all say which
 * handler failed.
 */
import { HandlerError, HandlerTimeoutError, PermanentError, TemporaryError } from "../errors.js";

/** A function's own name, without the `bound ` that `fn.bind()` adds. */
export function functionName(fn: (...args: never[]) => unknown): string | undefined {
  const name = fn.name.replace(/^(bound )+/, "");
  return name || undefined;
}

export class HandlerIds {
  private readonly taken = new Set<string>();
  private readonly unnamed = new Map<string, number>();

  constructor(private readonly owner: string) {}

  /**
   * The id for a new handler of `cause`; `scope` tells apart handlers that may share an id
   * (the same function registered for create and update stores one result, as in kopf).
   */
  next(
    cause: string,
    fn: (...args: never[]) => unknown,
    opts: { id?: string; field?: string },
  ): string {
    const suffix = opts.field ? `/${opts.field}` : "";
    const given = opts.id ?? functionName(fn);
    let id: string;
    if (given !== undefined) id = given + suffix;
    else {
      const n = this.unnamed.get(cause) ?? 0;
      this.unnamed.set(cause, n + 1);
      id = `${cause}${suffix}${n ? `-${n}` : ""}`;
    }
    const key = `${cause}:${id}`;
    if (this.taken.has(key))
      throw new Error(
        `${this.owner}: two ${cause} handlers have the id "${id}"; give one of them { id: "…" }`,
      );
    this.taken.add(key);
    return id;
  }
}

/** `e` with the handler's id in its message, keeping what it asks for (see the header). */
export function named(id: string, e: unknown): Error {
  if (e instanceof HandlerError || e instanceof HandlerTimeoutError) return e;
  const message = `handler ${id}: ${e instanceof Error ? e.message : String(e)}`;
  if (e instanceof PermanentError)
    return new PermanentError(message, { cause: e, reason: e.reason });
  if (e instanceof TemporaryError)
    return new TemporaryError(message, { cause: e, reason: e.reason, delay: e.delayMs });
  return new HandlerError(id, message, { cause: e });
}
