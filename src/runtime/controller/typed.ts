/**
 * From the kind a controller or handler set is `for` to the types its code sees, at compile
 * time only: a `defineResource` result gives its storage version's object (and, for status
 * writes, its input type); a literal `{ apiVersion, kind }` of a built-in kind gives the
 * registry's type (core/kinds.ts); anything else is `ApiObject`. An explicit type argument
 * (`op.controller<X>(…)`) still wins, so code written before inference keeps compiling.
 */
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import type { KindRegistry } from "../../core/kinds.js";
import type { ApiObject } from "../object.js";

/** What the API server returns always has metadata; kubernetes-types marks it optional. */
type Live<T> = T & { metadata: ObjectMeta };

/** The object type a kind reference (or a `defineResource` result) stands for. */
export type ObjectFor<F> = F extends { readonly $object: infer O extends ApiObject }
  ? O
  : F extends { apiVersion: infer A extends string; kind: infer K extends string }
    ? `${A}/${K}` extends keyof KindRegistry
      ? Live<KindRegistry[`${A}/${K}`]>
      : ApiObject
    : ApiObject;

/** The type a client writes for that kind: defaulted fields optional for a custom resource. */
export type InputFor<F> = F extends { readonly $input: infer I extends ApiObject }
  ? I
  : ObjectFor<F>;

/** `T` when the caller named it, else the type `D` inferred from the kind. */
export type Chosen<T, D> = [T] extends [never] ? D : T;

/** What `ctx.patchStatus` accepts: part of the status, typed when the kind's status is. */
export type StatusPatch<T> = T extends { status?: infer S }
  ? unknown extends S
    ? Record<string, unknown>
    : Partial<NonNullable<S>>
  : Record<string, unknown>;

/** The `spec` of an object type (`unknown` for a kind without one). */
export type SpecOf<T> = T extends { spec: infer S }
  ? S
  : T extends { spec?: infer S }
    ? S | undefined
    : unknown;

/**
 * What `ctx.owned(kind)` caches for an owned kind: metadata only (the watch asks for
 * PartialObjectMetadata), so a child's `data` or `spec` is not there to read.
 */
export interface OwnedObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}
