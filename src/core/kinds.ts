/**
 * From `apiVersion` + `kind` to a TypeScript type, at compile time only.
 *
 * `KindRegistry` holds every built-in kind and is open for declaration merging, so a custom
 * resource's type can flow through the client the same way (augment the module that
 * declares it; no public entry re-exports it yet). Kinds it does not know are `KubeObject`.
 */
import type { BuiltinKinds } from "./builtin-kinds.js";
import type { KubeObject } from "./object.js";

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- open for declaration merging
export interface KindRegistry extends BuiltinKinds {}

export type RegistryKey<A extends string, K extends string> = `${A}/${K}`;

/** The object type for an `apiVersion` and `kind`. */
export type KindObject<A extends string, K extends string> =
  RegistryKey<A, K> extends keyof KindRegistry ? KindRegistry[RegistryKey<A, K>] : KubeObject;

/**
 * The registered type of an object literal when its `apiVersion` and `kind` are known
 * literals, otherwise the object's own type.
 */
export type TypedObject<T> = T extends {
  apiVersion: infer A extends string;
  kind: infer K extends string;
}
  ? RegistryKey<A, K> extends keyof KindRegistry
    ? KindRegistry[RegistryKey<A, K>]
    : T
  : T;

/** `true` when a kind is in the registry (useful in type-level tests). */
export type IsRegistered<A extends string, K extends string> =
  RegistryKey<A, K> extends keyof KindRegistry ? true : false;
