/**
 * From a reference to a request: a reference's name and namespace checked, its kind resolved
 * by discovery, a namespaced kind's namespace defaulted (kubectl's rule), and one request sent
 * with the resource's path and the `verb Kind ns/name` that its errors name. (What a write
 * needs of the object it is given is in writes.ts.)
 *
 * Separate from client.ts so that the verbs there and the list and watch streams in
 * listwatch.ts address objects one way. Like ops.ts, it names the little it needs of the
 * client (`Addressing`) instead of importing it, which keeps the imports one way.
 */
import { checkName, checkNamespace } from "../core/names.js";
import { describe, type ObjectRef } from "../core/object.js";
import type { Discovery, ResourceInfo } from "./discovery.js";
import { ClientError } from "./errors.js";
import type { RequestOptions, Transport } from "./http.js";
import { resourcePath } from "./paths.js";

/** Where a reference points: its kind's resource and its namespace (none for cluster scope). */
export interface Located {
  info: ResourceInfo;
  namespace?: string;
}

/** What sending a request on a reference needs of the client. `KubeClient` satisfies it. */
export interface Addressing {
  readonly http: Pick<Transport, "json">;
  locate(ref: ObjectRef, opts?: { allNamespaces?: boolean }): Promise<Located>;
}

/** The options of one request on a reference: its path comes from the reference. */
export type RefRequest = Omit<RequestOptions, "path" | "describe"> & {
  sub?: string;
  all?: boolean;
};

/**
 * Resolve a reference: a malformed name or namespace is refused before any request, and the
 * namespace of a namespaced kind defaults to `defaultNamespace` unless `allNamespaces`.
 */
export async function locate(
  discovery: Pick<Discovery, "resolve">,
  defaultNamespace: string,
  ref: ObjectRef,
  opts: { allNamespaces?: boolean } = {},
): Promise<Located> {
  if (ref.name !== undefined) {
    const p = checkName(ref.name);
    if (p) throw new ClientError("input", `${describe(ref)}: ${p.message}`);
  }
  if (ref.namespace !== undefined) {
    const p = checkNamespace(ref.namespace);
    if (p) throw new ClientError("input", `${describe(ref)}: ${p.message}`);
  }
  const info = await discovery.resolve(ref.apiVersion, ref.kind).catch((e: unknown) => {
    throw e instanceof ClientError
      ? new ClientError(e.step, `${describe(ref)}: ${e.message}`, { cause: e })
      : e;
  });
  const namespace = info.namespaced
    ? (ref.namespace ?? (opts.allNamespaces ? undefined : defaultNamespace))
    : undefined;
  return { info, namespace };
}

/** Send `verb` on `ref` and answer the JSON body; errors name the verb and the object. */
export async function request<T>(
  client: Addressing,
  verb: string,
  ref: ObjectRef,
  o: RefRequest,
): Promise<T> {
  const { info, namespace } = await client.locate(ref, { allNamespaces: o.all });
  return client.http.json<T>({
    ...o,
    path: resourcePath(info, namespace, ref.name, o.sub),
    describe: { verb, object: describe({ ...ref, namespace }) },
  });
}
