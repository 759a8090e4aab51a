/**
 * The narrow port through which the runtime talks to the API: a list/watch source per kind,
 * merge patches (optionally to the status subresource) and an Event sink. `kubePort()` in
 * kube.ts builds it from Capstan's client; keeping it narrow keeps the engine readable and
 * lets every piece of it be used alone.
 */
import type { EventSink } from "./status/events.js";
import type { ListWatch } from "./watch/informer.js";

export interface KindRef {
  apiVersion: string;
  kind: string;
}

/**
 * Just apiVersion and kind: a `defineResource` result is a fine `KindRef` to pass, but it
 * also has a `name` (the CRD's), which must never reach a request as the object's name.
 */
export function kindRefOf(k: KindRef): KindRef {
  return { apiVersion: k.apiVersion, kind: k.kind };
}

export interface NamedRef extends KindRef {
  name: string;
  namespace?: string;
}

export interface ListWatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Only metadata (PartialObjectMetadata): for owned children, whose bodies we never read. */
  metadataOnly?: boolean;
}

export interface RuntimePort {
  listWatch<T>(kind: KindRef, opts: ListWatchOptions): ListWatch<T>;
  /** The object, or undefined when it does not exist. */
  get<T>(ref: NamedRef): Promise<T | undefined>;
  create<T>(obj: T & KindRef): Promise<T>;
  /** PUT with the object's resourceVersion: fails with a conflict if it changed. */
  replace<T>(obj: T & KindRef): Promise<T>;
  /** True when `e` is the API's 409 Conflict (or an AlreadyExists on create). */
  isConflict(e: unknown): boolean;
  mergePatch<T>(ref: NamedRef, patch: unknown, opts?: { subresource?: "status" }): Promise<T>;
  events: EventSink;
}
