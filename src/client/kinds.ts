/**
 * The type a reference gives the client's answers, at compile time only: a reference spread
 * from a `defineResource` result (`{ ...Widget, namespace, name }`) gives its object type;
 * one whose `apiVersion` and `kind` name a built-in kind gives that kind's type from the full
 * registry (core/builtin-kinds.ts, every kind of kubernetes-types); anything else is a
 * `KubeObject`.
 */
import type { KindRegistry } from "../core/kinds.js";

/** Every kind the client types by `apiVersion/kind` (the core registry, open for merging). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an alias kept for callers
export interface KindMap extends KindRegistry {}

/** The object type for a reference: the one `ObjectOf` (core/crd), re-exported. */
export type { ObjectOf } from "../core/crd/types.js";
