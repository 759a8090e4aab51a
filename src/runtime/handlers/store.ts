/**
 * The one write of a handling cycle, none when nothing changed:
 *   - no return values: a merge patch of the annotation `LAST_HANDLED`;
 *   - return values: a status patch carrying them (`status.<handler id>`) and the essence
 *     (`status.capstan.lastHandled`), which then stays the object's diff base (status is
 *     read before the annotation). If the kind's status schema prunes `status.capstan`, the
 *     kind falls back to the annotation (two writes per cycle with return values; logged once).
 */
import { deepEqual } from "../../core/equal.js";
import { LAST_HANDLED, statusBase } from "./essence.js";
import type { ApiObject, ReconcileContext } from "../controller/reconcile.js";
import type { KindRef } from "../kind.js";

export class HandledStore {
  /** False once the API server pruned `status.capstan` for this kind. */
  private statusKeepsBase = true;
  /** Handler ids whose pruned return value was already reported (once each). */
  private readonly prunedIds = new Set<string>();

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
      this.reportPruned(w.results, after, ctx);
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

  /**
   * A return value the API server dropped because the status schema does not declare its
   * handler's id would otherwise vanish without a word: say so once per id, with the fix.
   */
  private reportPruned<T extends ApiObject, I>(
    results: Record<string, unknown>,
    after: T,
    ctx: ReconcileContext<T, I>,
  ): void {
    const status = (after.status ?? {}) as Record<string, unknown>;
    for (const id of Object.keys(results)) {
      if (status[id] !== undefined || this.prunedIds.has(id)) continue;
      this.prunedIds.add(id);
      ctx.log.warn(
        { handler: id },
        `handler ${id} returned a value, but the ${this.kind.kind} status schema prunes status.${id}: ` +
          `declare \`${id}\` in the status schema (or use k8s.preserveUnknown()), or return undefined`,
      );
    }
  }
}
