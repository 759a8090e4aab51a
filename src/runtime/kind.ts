/**
 * How the runtime names a kind and an object of it: plain `{ apiVersion, kind }` data, which
 * a `defineResource` result also is.
 */

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
