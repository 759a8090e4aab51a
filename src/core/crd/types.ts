/**
 * The types of a resource definition and of the objects it describes. Everything is inferred
 * from the zod schemas: there is no generated code to keep in sync.
 *
 * - `ObjectOf<R>`: an object as read from the API server (defaults applied, so defaulted
 *   fields are present), for the storage version, or `ObjectOf<R, "v1beta1">` for another.
 * - `InputOf<R>`: what a client may write (defaulted fields optional).
 * - `Converters<G, K, V>`: the hub-and-spoke converters a multi-version definition declares,
 *   typed from its versions (conversion.ts runs them).
 */
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import type { z } from "zod";
import type { KindObject } from "../kinds.js";
import type { TypeRef } from "../object.js";

export type Scope = "Namespaced" | "Cluster";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  /** A JSONPath into the object, e.g. `.spec.replicas` or `.metadata.creationTimestamp`. */
  jsonPath: string;
  description?: string;
  format?: "int32" | "int64" | "float" | "double" | "byte" | "date" | "date-time" | "password";
  /** 0 shows in `kubectl get`; higher only with `-o wide`. */
  priority?: number;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface VersionDefinition<
  Spec extends z.ZodType = z.ZodType,
  Status extends z.ZodType | undefined = z.ZodType | undefined,
> {
  /** Served by the API server (default true). */
  served?: boolean;
  /** The version objects are stored in; exactly one version has it (default: the only one). */
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  spec: Spec;
  /** The status schema; giving one turns on the status subresource. */
  status?: Status;
  printerColumns?: readonly PrinterColumn[];
  scale?: ScaleSubresource;
  /** JSONPaths of fields usable in field selectors (`.spec.color`). */
  selectableFields?: readonly string[];
}

export interface NamesDefinition<G extends string = string, K extends string = string> {
  group: G;
  kind: K;
  /** Default: the English plural of the lower-cased kind. */
  plural?: string;
  /** Default: the lower-cased kind. */
  singular?: string;
  /** Default: `${kind}List`. */
  listKind?: string;
  shortNames?: readonly string[];
  categories?: readonly string[];
  /** Default: Namespaced. */
  scope?: Scope;
  /**
   * Where what the API server cannot check (zod refinements: `.refine`, `.superRefine`,
   * `.check`) is enforced. Default: nowhere, so a schema with a refinement is refused when
   * the CRD is built. `"webhook"`: the CRD carries the rest of the schema and the operator's
   * validating webhook runs the whole zod schema on creates and updates (docs/webhooks.md).
   */
  validation?: "webhook";
}

export type Versions = Record<string, VersionDefinition>;

export interface MultiVersionDefinition<
  G extends string,
  K extends string,
  V extends Versions,
> extends NamesDefinition<G, K> {
  versions: V;
  /**
   * Converters between the versions, hub and spoke: for each version other than the storage
   * version (the hub), `toHub` and `fromHub`, typed from the schemas. With them the CRD uses
   * a conversion webhook the operator serves; without them conversion is `None` (only
   * `apiVersion` changes, so the versions' schemas must be the same).
   */
  // NoInfer: the versions alone decide V, so a converter's result is checked against the
  // settled types (without it, a literal such as "public" widens to string and fails).
  convert?: NoInfer<Converters<G, K, V>>;
}

export interface SingleVersionDefinition<
  G extends string,
  K extends string,
  N extends string,
  Spec extends z.ZodType,
  Status extends z.ZodType | undefined,
>
  extends NamesDefinition<G, K>, VersionDefinition<Spec, Status> {
  version: N;
}

type Simplify<T> = { [P in keyof T]: T[P] } & {};

type SpecField<T> = undefined extends T ? { spec?: Exclude<T, undefined> } : { spec: T };
type StatusField<S, T> = S extends z.ZodType ? { status?: Exclude<T, undefined> } : unknown;

/** An object of version `N` as read from the API server. */
export type CustomObject<G extends string, K extends string, N extends string, VD> =
  VD extends VersionDefinition<infer Spec, infer Status>
    ? Simplify<
        { apiVersion: `${G}/${N}`; kind: K; metadata: ObjectMeta } & SpecField<z.output<Spec>> &
          StatusField<Status, Status extends z.ZodType ? z.output<Status> : never>
      >
    : never;

/** An object of version `N` as a client writes it (defaults not yet applied). */
export type CustomObjectInput<G extends string, K extends string, N extends string, VD> =
  VD extends VersionDefinition<infer Spec, infer Status>
    ? Simplify<
        { apiVersion: `${G}/${N}`; kind: K; metadata: ObjectMeta } & SpecField<z.input<Spec>> &
          StatusField<Status, Status extends z.ZodType ? z.input<Status> : never>
      >
    : never;

type Declared<V extends Versions> = {
  [N in keyof V & string]: V[N] extends { storage: true } ? N : never;
}[keyof V & string];
/** The name of the storage version: the one declared `storage: true`, or the only one. */
export type StorageOf<V extends Versions> = [Declared<V>] extends [never]
  ? keyof V & string
  : Declared<V>;

/**
 * What a converter returns: the object at its target version. `apiVersion` and `kind` may be
 * left out (Capstan sets them); of `metadata`, only labels and annotations are taken.
 */
export type Converted<O> = Omit<O, "apiVersion" | "kind" | "metadata"> & {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
};

/** The two functions of one spoke version: to the hub (the storage version) and back. */
export interface Converter<Spoke, Hub> {
  toHub(object: Spoke): Converted<Hub>;
  fromHub(object: Hub): Converted<Spoke>;
}

/** Every version other than the storage version. */
export type SpokesOf<V extends Versions> = Exclude<keyof V & string, StorageOf<V>>;

/** One converter per spoke version, typed from the versions' schemas. */
export type Converters<G extends string, K extends string, V extends Versions> = {
  [N in SpokesOf<V>]: Converter<
    CustomObject<G, K, N, V[N]>,
    CustomObject<G, K, StorageOf<V>, V[StorageOf<V>]>
  >;
};

/** Anything `defineResource` returns, for generic code. */
export interface AnyResource {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly versionNames: readonly string[];
  readonly $versions: Versions;
  readonly $storage: string;
}

/**
 * The one `ObjectOf`, for every entry point: the object type a reference stands for.
 * A `defineResource` result (or a reference spread from one) gives its object, at the storage
 * version or at version `N`; a built-in kind's `apiVersion`/`kind` gives that kind's type from
 * the registry; anything else is a `KubeObject`.
 */
export type ObjectOf<R extends TypeRef, N extends string = never> = [N] extends [never]
  ? R extends { readonly $object: infer O }
    ? O
    : KindObject<R["apiVersion"], R["kind"]>
  : R extends AnyResource
    ? N extends keyof R["$versions"] & string
      ? CustomObject<R["group"], R["kind"], N, R["$versions"][N]>
      : never
    : never;

export type InputOf<
  R extends AnyResource,
  N extends keyof R["$versions"] & string = R["$storage"],
> = CustomObjectInput<R["group"], R["kind"], N, R["$versions"][N]>;

/** The object of any served version of R. */
export type AnyObjectOf<R extends AnyResource> = {
  [N in keyof R["$versions"] & string]: CustomObject<R["group"], R["kind"], N, R["$versions"][N]>;
}[keyof R["$versions"] & string];
