/**
 * `defineResource`: one definition of a custom resource gives its TypeScript types, its CRD
 * manifest and runtime validation.
 *
 * Contract:
 * - Names are derived (plural, singular, list kind) unless given; scope defaults to Namespaced.
 * - `crd()` builds the manifest on first use and throws `CrdSchemaError` listing every reason
 *   the API server would refuse it; the definition itself never throws for those, so a module
 *   that defines resources can always be imported. It throws at once only for a value that is
 *   not a zod schema where one belongs (tree.ts): no use of such a definition could work.
 * - `safeParse(obj)` validates an object of any served version as the API server would
 *   (pruning, defaults, schema, CEL) and returns the result with defaults applied; `parse`
 *   throws core's `ValidationError` with the same problems.
 */
import type { z } from "zod";
import { convertObject, type ConversionPlan } from "./conversion.js";
import { buildCrd, type CustomResourceDefinition, type VersionPlan } from "./manifest.js";
import { pluralize } from "./names.js";
import { check, unwrap, type SafeParseResult } from "./parse.js";
import { checkSchemaTree } from "./tree.js";
import type { JSONSchemaProps } from "./schema.js";
import type {
  AnyObjectOf,
  CustomObject,
  CustomObjectInput,
  MultiVersionDefinition,
  Scope,
  SingleVersionDefinition,
  StorageOf,
  VersionDefinition,
  Versions,
} from "./types.js";

export interface ResourceVersion<G extends string, K extends string, N extends string, VD> {
  readonly name: N;
  readonly apiVersion: `${G}/${N}`;
  readonly kind: K;
  readonly served: boolean;
  readonly storage: boolean;
  readonly definition: VD;
  /** Type only: an object of this version as read from the API server. */
  readonly $object: CustomObject<G, K, N, VD>;
  /** Type only: an object of this version as a client writes it. */
  readonly $input: CustomObjectInput<G, K, N, VD>;
  /** The version's `openAPIV3Schema` (throws `CrdSchemaError` if it cannot be built). */
  schema(): JSONSchemaProps;
  safeParse(obj: unknown): SafeParseResult<CustomObject<G, K, N, VD>>;
  /** Validate `obj` against this version's schema: the object, or a `ValidationError` naming it and every field. */
  parse(obj: unknown): CustomObject<G, K, N, VD>;
}

export interface Resource<G extends string, K extends string, V extends Versions> {
  readonly group: G;
  readonly kind: K;
  readonly plural: string;
  readonly singular: string;
  readonly listKind: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly scope: Scope;
  /** The CRD's name: `${plural}.${group}`. */
  readonly name: string;
  /** `"webhook"`: the operator's validating webhook runs the whole zod schema (refinements). */
  readonly validation?: "webhook";
  readonly storageVersion: StorageOf<V>;
  /** The storage version's apiVersion, e.g. `mkramb.com/v1`. */
  readonly apiVersion: `${G}/${StorageOf<V>}`;
  readonly versionNames: readonly (keyof V & string)[];
  readonly versions: { readonly [N in keyof V & string]: ResourceVersion<G, K, N, V[N]> };
  /**
   * The storage version's `{ apiVersion, kind }` and nothing else, to spread into an object
   * the client writes (`kube.create({ ...R.typeRef, metadata, spec })`) or a reference it
   * reads: the client's answer is then typed `ObjectOf<R>` (`$object` is type only).
   */
  readonly typeRef: {
    readonly apiVersion: `${G}/${StorageOf<V>}`;
    readonly kind: K;
    readonly $object: CustomObject<G, K, StorageOf<V>, V[StorageOf<V>]>;
  };
  /** Type only: an object of the storage version as read from the API server. */
  readonly $object: CustomObject<G, K, StorageOf<V>, V[StorageOf<V>]>;
  /** Type only: an object of the storage version as a client writes it. */
  readonly $input: CustomObjectInput<G, K, StorageOf<V>, V[StorageOf<V>]>;
  /** Type only: the version definitions, for `ObjectOf<R, N>`. */
  readonly $versions: V;
  /** Type only: the storage version's name. */
  readonly $storage: StorageOf<V>;
  /**
   * `Webhook` when the definition has converters (the operator serves them), else `None`.
   */
  readonly conversion: "None" | "Webhook";
  /**
   * Convert an object of any version to version `to`, through the storage version (the hub);
   * throws `ConversionError` naming the object, the versions and the converter or field.
   */
  convert<const N extends keyof V & string>(
    obj: AnyObjectOf<Resource<G, K, V>>,
    to: N,
  ): CustomObject<G, K, N, V[N]>;
  /** The CustomResourceDefinition manifest (throws `CrdSchemaError`). */
  crd(): CustomResourceDefinition;
  /** Validate an object of any version of this resource. */
  safeParse(obj: unknown): SafeParseResult<AnyObjectOf<Resource<G, K, V>>>;
  /** Validate an object of any version: the object, or a `ValidationError` naming it and every field. */
  parse(obj: unknown): AnyObjectOf<Resource<G, K, V>>;
}

export function defineResource<
  const G extends string,
  const K extends string,
  const V extends Versions,
>(definition: MultiVersionDefinition<G, K, V>): Resource<G, K, V>;
export function defineResource<
  const G extends string,
  const K extends string,
  const N extends string,
  Spec extends z.ZodType,
  Status extends z.ZodType | undefined = undefined,
>(
  definition: SingleVersionDefinition<G, K, N, Spec, Status>,
): Resource<G, K, { [P in N]: VersionDefinition<Spec, Status> & { storage: true } }>;
export function defineResource(
  definition:
    | MultiVersionDefinition<string, string, Versions>
    | SingleVersionDefinition<string, string, string, z.ZodType, z.ZodType | undefined>,
): Resource<string, string, Versions> {
  const { group, kind } = definition;
  const versions: Versions =
    "versions" in definition ? definition.versions : { [definition.version]: single(definition) };
  checkSchemaTree(kind, versions, !("versions" in definition));
  const names = Object.keys(versions);
  const plural = definition.plural ?? pluralize(kind);
  const storage =
    names.length === 1 ? names[0]! : (names.find((n) => versions[n]!.storage) ?? names[0]!);
  const plan: VersionPlan[] = names.map((n) => ({
    name: n,
    definition: versions[n]!,
    served: versions[n]!.served ?? true,
    storage: names.length === 1 ? (versions[n]!.storage ?? true) : versions[n]!.storage === true,
  }));
  const common = {
    group,
    kind,
    plural,
    singular: definition.singular ?? kind.toLowerCase(),
    listKind: definition.listKind ?? `${kind}List`,
    shortNames: [...(definition.shortNames ?? [])],
    categories: [...(definition.categories ?? [])],
    scope: definition.scope ?? "Namespaced",
    name: `${plural}.${group}`,
    ...(definition.validation ? { validation: definition.validation } : {}),
  };
  const converters = "versions" in definition ? definition.convert : undefined;
  let built: ReturnType<typeof buildCrd> | undefined;
  const crd = () =>
    (built ??= buildCrd(common, plan, converters && { converters: Object.keys(converters) }));
  const schemaOf = (n: string) => crd().schemas[n]!;

  const versionHandles = Object.fromEntries(
    plan.map((p) => {
      const apiVersion = `${group}/${p.name}`;
      const safeParse = (obj: unknown) =>
        check(obj, kind, [apiVersion], () => ({
          schema: schemaOf(p.name),
          scale: p.definition.scale,
        }));
      return [
        p.name,
        {
          name: p.name,
          apiVersion,
          kind,
          served: p.served,
          storage: p.storage,
          definition: p.definition,
          schema: () => schemaOf(p.name),
          safeParse,
          parse: (obj: unknown) => unwrap(obj, kind, safeParse(obj)),
        },
      ];
    }),
  );
  const safeParse = (obj: unknown) =>
    check(
      obj,
      kind,
      names.map((n) => `${group}/${n}`),
      (apiVersion) => {
        const n = apiVersion.slice(group.length + 1);
        return { schema: schemaOf(n), scale: versions[n]!.scale };
      },
    );
  const conversion: ConversionPlan = {
    group,
    kind,
    hub: storage,
    converters: (converters ?? {}) as ConversionPlan["converters"],
    safeParse: (n, obj) => versionHandles[n]!.safeParse(obj),
  };
  return {
    ...common,
    conversion: converters ? "Webhook" : "None",
    convert: (obj: unknown, to: string) =>
      converters
        ? convertObject(conversion, obj, to)
        : { ...(obj as object), apiVersion: `${group}/${to}` },
    storageVersion: storage,
    apiVersion: `${group}/${storage}`,
    typeRef: { apiVersion: `${group}/${storage}`, kind },
    versionNames: names,
    versions: versionHandles,
    crd: () => crd().manifest,
    safeParse,
    parse: (obj: unknown) => unwrap(obj, kind, safeParse(obj)),
  } as unknown as Resource<string, string, Versions>;
}

function single(
  d: SingleVersionDefinition<string, string, string, z.ZodType, z.ZodType | undefined>,
): VersionDefinition {
  const {
    served,
    storage,
    deprecated,
    deprecationWarning,
    spec,
    status,
    printerColumns,
    scale,
    selectableFields,
  } = d;
  return {
    served,
    storage,
    deprecated,
    deprecationWarning,
    spec,
    status,
    printerColumns,
    scale,
    selectableFields,
  };
}
