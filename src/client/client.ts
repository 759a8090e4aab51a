/**
 * `KubeClient`: kubectl's verbs for any kind, typed, over plain JSON objects.
 *
 *   const kube = await KubeClient.fromKubeconfig();
 *   const cm = await kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "x" });
 *   await kube.apply(obj, { fieldManager: "my-operator" });
 *   for await (const ev of kube.watch({ apiVersion: "v1", kind: "Pod", namespace: "default" })) …
 *
 * Kinds are mapped to resources by discovery (cached; refreshed once for an unknown kind).
 * A namespaced kind without a namespace uses the kubeconfig context's namespace, as kubectl
 * does; `allNamespaces: true` lists or watches across all of them.
 *
 * The methods here keep the documented signatures; the work is in modules of its own: the
 * verbs' options in options.ts, how a reference becomes a request in locate.ts, what writes
 * send in writes.ts, lists and watches in listwatch.ts, and the longer operations (logs,
 * wait, scale) in ops.ts.
 */
import type { KubeObject, ObjectRef, TypeRef } from "../core/object.js";
import { connect, loadKubeConfig, type Connection } from "./config.js";
import { inClusterConfig, type KubeconfigData } from "./kubeconfig.js";
import { Discovery, type ResourceInfo } from "./discovery.js";
import { Transport } from "./http.js";
import { defaultFieldManager, type Interceptor } from "./intercept.js";
import type { ObjectOf } from "./kinds.js";
import { listPages, reconnecting, watchOnce } from "./listwatch.js";
import { locate, request } from "./locate.js";
import { podLogs, scaleTo, waitFor, type LogOptions } from "./ops.js";
import type { WatchEvent } from "./watch.js";
import { creatable, deleteBody, named, PATCH_CONTENT, target, writeQuery } from "./writes.js";
import type {
  ClientOptions,
  DeleteOptions,
  ListOptions,
  ListResult,
  PatchType,
  WatchOptions,
  WriteOptions,
} from "./options.js";

type Named = ObjectRef & { name: string };

export class KubeClient {
  readonly http: Transport;
  readonly discovery: Discovery;
  readonly fieldManager: string;

  constructor(
    readonly conn: Connection,
    opts: Pick<ClientOptions, "rateLimit" | "fieldManager"> = {},
  ) {
    this.http = new Transport(conn, opts.rateLimit);
    this.discovery = new Discovery(this.http);
    this.fieldManager = opts.fieldManager ?? "capstan";
    // The innermost layer: an interceptor added later (an operator's own manager) goes first.
    this.http.intercept(defaultFieldManager(this.fieldManager));
  }

  /**
   * Hook every request this client sends from now on — see each before it is sent (and
   * refuse or change it), observe each outcome — until the returned disposer is called.
   * intercept.ts has the contract.
   */
  intercept(interceptor: Interceptor): () => void {
    return this.http.intercept(interceptor);
  }

  /** From a kubeconfig (KUBECONFIG merged, or a path), or in-cluster when none exists. */
  static async fromKubeconfig(opts: ClientOptions = {}): Promise<KubeClient> {
    return new KubeClient(connect(loadKubeConfig(opts), opts), opts);
  }

  /**
   * From kubeconfig data: Capstan's own (`readKubeconfig`) or a @kubernetes/client-node
   * `KubeConfig`, which has the same shape.
   */
  static fromKubeConfig(kc: KubeconfigData, opts: ClientOptions = {}): KubeClient {
    return new KubeClient(connect(kc, opts), opts);
  }

  /** The in-cluster service account (token re-read as it rotates). */
  static inCluster(opts: Omit<ClientOptions, "path" | "context"> = {}): KubeClient {
    return new KubeClient(connect(inClusterConfig(), opts), opts);
  }

  /** The default namespace: the `namespace` option, else the kubeconfig context's (in a Pod, its own), else `default`. */
  get namespace(): string {
    return this.conn.namespace;
  }

  /** Resolve a reference: discovery info, namespace (defaulted), and a validated name. */
  async locate(
    ref: ObjectRef,
    opts: { allNamespaces?: boolean } = {},
  ): Promise<{ info: ResourceInfo; namespace?: string }> {
    return locate(this.discovery, this.conn.namespace, ref, opts);
  }

  /** Read one object by `{ apiVersion, kind, namespace, name }` (or a subresource); typed from the ref. */
  async get<const R extends Named, T = ObjectOf<R>>(
    ref: R,
    opts: { subresource?: string; signal?: AbortSignal } = {},
  ): Promise<T> {
    return request<T>(this, "get", ref, {
      method: "GET",
      idempotent: true,
      sub: opts.subresource,
      signal: opts.signal,
    });
  }

  /** Every page of a list, one page at a time (for very large collections). */
  listPages<const R extends TypeRef & { namespace?: string }, T = ObjectOf<R>>(
    ref: R,
    opts: ListOptions = {},
  ): AsyncGenerator<ListResult<T>> {
    return listPages<T>(this, ref, opts);
  }

  /** All matching objects, following pagination. */
  async list<const R extends TypeRef & { namespace?: string }, T = ObjectOf<R>>(
    ref: R,
    opts: ListOptions = {},
  ): Promise<ListResult<T>> {
    const items: T[] = [];
    let resourceVersion = "";
    for await (const page of this.listPages<R, T>(ref, opts)) {
      items.push(...page.items);
      resourceVersion = page.resourceVersion;
    }
    return { items, resourceVersion };
  }

  /** Create `obj` (POST); answers the object as stored. `AlreadyExistsError` if the name is taken. */
  async create<
    const O extends TypeRef & {
      metadata?: { name?: string; generateName?: string; namespace?: string };
    },
    T = ObjectOf<O>,
  >(obj: O, opts: WriteOptions = {}): Promise<T> {
    return request<T>(this, "create", creatable(obj), {
      method: "POST",
      body: obj,
      query: writeQuery(opts),
      signal: opts.signal,
    });
  }

  /** Replace `obj` whole (PUT); carrying its resourceVersion makes a concurrent change a `ConflictError`. */
  async replace<
    const O extends TypeRef & { metadata?: { name?: string; namespace?: string } },
    T = ObjectOf<O>,
  >(obj: O, opts: WriteOptions = {}): Promise<T> {
    const ref = named(target(obj), "replace");
    return request<T>(this, "replace", ref, {
      method: "PUT",
      body: obj,
      idempotent: true,
      sub: opts.subresource,
      query: writeQuery(opts),
      signal: opts.signal,
    });
  }

  /** Patch one object (merge patch by default; `type` picks json or strategic), or its subresource. */
  async patch<const R extends Named, T = ObjectOf<R>>(
    ref: R,
    patch: unknown,
    opts: WriteOptions & { type?: PatchType } = {},
  ): Promise<T> {
    const type = opts.type ?? "merge";
    return request<T>(this, `patch (${type})`, named(ref, "patch"), {
      method: "PATCH",
      body: patch,
      contentType: PATCH_CONTENT[type],
      sub: opts.subresource,
      query: writeQuery(opts),
      signal: opts.signal,
    });
  }

  /** Server-side apply: the fields in `obj` become owned by the field manager. */
  async apply<
    const O extends TypeRef & { metadata?: { name?: string; namespace?: string } },
    T = ObjectOf<O>,
  >(obj: O, opts: WriteOptions & { force?: boolean } = {}): Promise<T> {
    const ref = named(target(obj), "apply");
    return request<T>(this, "apply", ref, {
      method: "PATCH",
      body: obj,
      contentType: "application/apply-patch+yaml",
      idempotent: true,
      sub: opts.subresource,
      query: writeQuery(opts, opts.force ?? false),
      signal: opts.signal,
    });
  }

  /** Delete one object; answers what the server returned (the object, or a Status). */
  async delete<R extends Named>(ref: R, opts: DeleteOptions = {}): Promise<KubeObject> {
    return request<KubeObject>(this, "delete", named(ref, "delete"), {
      method: "DELETE",
      idempotent: true,
      signal: opts.signal,
      body: deleteBody(opts),
    });
  }

  /** One watch stream (see watch.ts); `watch` reconnects. */
  watchOnce<const R extends TypeRef & { namespace?: string; name?: string }, T = ObjectOf<R>>(
    ref: R,
    opts: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    return watchOnce<T>(this, ref, opts);
  }

  /**
   * Watch that reconnects by itself from the last resourceVersion (watcher.ts). Throws
   * GoneError when that version is too old: list again and watch from the list's version.
   */
  watch<const R extends TypeRef & { namespace?: string; name?: string }, T = ObjectOf<R>>(
    ref: R,
    opts: WatchOptions & { onReconnect?: (e: unknown, delayMs: number) => void } = {},
  ): AsyncGenerator<WatchEvent<T>> {
    return reconnecting<T>(
      (from, signal) => this.watchOnce<R, T>(ref, { ...opts, state: from, signal }),
      opts,
    );
  }

  /** A Pod's log: the text, or with `follow` an async iterable of lines. */
  logs(
    ref: { name: string; namespace?: string },
    opts: LogOptions & { follow: true },
  ): Promise<AsyncIterable<string>>;
  logs(ref: { name: string; namespace?: string }, opts?: LogOptions): Promise<string>;
  logs(
    ref: { name: string; namespace?: string },
    opts: LogOptions = {},
  ): Promise<string | AsyncIterable<string>> {
    return podLogs(this, ref, opts);
  }

  /** Wait for `"condition=Ready"` (kubectl's form) or a predicate. */
  wait<const R extends Named, T = ObjectOf<R>>(
    ref: R,
    cond: string | ((obj: Record<string, unknown>) => boolean),
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    return waitFor<T>(this, ref, cond, opts);
  }

  /** Read the scale subresource. */
  getScale<R extends Named>(
    ref: R,
  ): Promise<{ spec: { replicas?: number }; status: { replicas: number; selector?: string } }> {
    return this.get(ref, { subresource: "scale" });
  }

  /** Set the replicas of a kind with a scale subresource (Deployment, StatefulSet, a custom resource). */
  async scale<R extends Named>(ref: R, replicas: number): Promise<unknown> {
    return scaleTo(this, ref, replicas);
  }
}
