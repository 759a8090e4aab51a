/**
 * The one write of a handling cycle, none when nothing changed:
 *   - no return values: a merge patch of the annotation `LAST_HANDLED`;
 *   - return values: a status patch carrying them (`status.<handler id>`) and the essence
 *     (`status.capstan.lastHandled`), which then stays the object's diff base (status is
 *     read before the annotation). If the kind's status schema prunes `status.capstan`, the
 *     kind falls back to the annotation (two writes per cycle with return values; logged once).
 */
import { deepEqual } from "./diff.js";
import { LAST_HANDLED, statusBase } from "./essence.js";
import type { ApiObject, ReconcileContext } from "../controller/reconcile.js";
import type { KindRef } from "../kind.js";

export class HandledStore {
  /** False once the API server pruned `status.capstan` for this kind. */
  private statusKeepsBase = true;

  constructor(private readonly kind: KindRef) {}

  /** Store `base` (the essence handled, JSON; undefined: unchanged) and the handlers' results. */
  async write<T extends ApiObject, I>(
    obj: T,
    ctx: ReconcileContext<T, I>,
    w: { base?: string; results: Record<string, unknown> },
  ): Promise<void> {
    const ref = { ...this.kind, name: obj.metadata!.name!, namespace: obj.metadata?.namespace };
    const hasResults = Object.keys(w.results).length > 0;
    const annotate = (base: string) =>
      ctx.client.patch(ref, { metadata: { annotations: { [LAST_HANDLED]: base } } });
    if (this.statusKeepsBase && (hasResults || statusBase(obj) !== undefined)) {
      const current = (obj.status ?? {}) as Record<string, unknown>;
      if (!w.base && Object.entries(w.results).every(([k, v]) => deepEqual(current[k], v))) return;
      const status = { ...w.results, ...(w.base ? { capstan: { lastHandled: w.base } } : {}) };
      const after = await ctx.client.patch<typeof ref, T>(
        ref,
        { status },
        { subresource: "status" },
      );
      if (w.base && statusBase(after) !== w.base) {
        this.statusKeepsBase = false;
        ctx.log.info(
          `the ${this.kind.kind} status schema prunes status.capstan; keeping the last handled state in the ${LAST_HANDLED} annotation instead`,
        );
        await annotate(w.base);
      }
      return;
    }
    if (w.base) await annotate(w.base);
    // Return values go where the handler ids say, whatever T's status type is.
    if (hasResults) await (ctx as unknown as ReconcileContext<ApiObject>).patchStatus(w.results);
  }
}
