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
 * does; `allNamespaces: true` lists or watches across all of them. The verbs' options are
 * in options.ts; the longer operations (logs, wait, scale) in ops.ts.
 */
import { checkName, checkNamespace } from "../core/names.js";
import { describe, type KubeObject, type ObjectRef, type TypeRef } from "../core/object.js";
import { selectorString } from "../core/selectors.js";
import { connect, loadKubeConfig, type Connection } from "./config.js";
import { inClusterConfig, type KubeconfigData } from "./kubeconfig.js";
import { Discovery, type ResourceInfo } from "./discovery.js";
import { ClientError } from "./errors.js";
import { Transport, type RequestOptions } from "./http.js";
import { defaultFieldManager, type Interceptor } from "./intercept.js";
import type { ObjectOf } from "./kinds.js";
import { resourcePath } from "./paths.js";
import { podLogs, scaleTo, waitFor, type LogOptions } from "./ops.js";
import { watchStream, type WatchEvent } from "./watch.js";
import { unrecoverable, watcher } from "./watcher.js";
import type {
  ClientOptions,
  DeleteOptions,
  ListOptions,
  ListResult,
  PatchType,
  WatchOptions,
  WriteOptions,
} from "./options.js";

/** Accept headers asking for PartialObjectMetadata(List) instead of full objects. */
const METADATA_ONLY =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
const METADATA_ONLY_WATCH =
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

const PATCH_CONTENT: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  json: "application/json-patch+json",
};

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

  get namespace(): string {
    return this.conn.namespace;
  }

  /** Resolve a reference: discovery info, namespace (defaulted), and a validated name. */
  async locate(
    ref: ObjectRef,
    opts: { allNamespaces?: boolean } = {},
  ): Promise<{ info: ResourceInfo; namespace?: string }> {
    if (ref.name !== undefined) {
      const p = checkName(ref.name);
      if (p) throw new ClientError("input", `${describe(ref)}: ${p.message}`);
    }
    if (ref.namespace !== undefined) {
      const p = checkNamespace(ref.namespace);
      if (p) throw new ClientError("input", `${describe(ref)}: ${p.message}`);
    }
    const info = await this.discovery.resolve(ref.apiVersion, ref.kind).catch((e: unknown) => {
      throw e instanceof ClientError
        ? new ClientError(e.step, `${describe(ref)}: ${e.message}`, { cause: e })
        : e;
    });
    const namespace = info.namespaced
      ? (ref.namespace ?? (opts.allNamespaces ? undefined : this.conn.namespace))
      : undefined;
    return { info, namespace };
  }

  private async req<T>(
    verb: string,
    ref: ObjectRef,
    o: Omit<RequestOptions, "path" | "describe"> & { sub?: string; all?: boolean },
  ): Promise<T> {
    const { info, namespace } = await this.locate(ref, { allNamespaces: o.all });
    return this.http.json<T>({
      ...o,
      path: resourcePath(info, namespace, ref.name, o.sub),
      describe: { verb, object: describe({ ...ref, namespace }) },
    });
  }

  /** Read one object by `{ apiVersion, kind, namespace, name }` (or a subresource); typed from the ref. */
  async get<const R extends Named, T = ObjectOf<R>>(
    ref: R,
    opts: { subresource?: string; signal?: AbortSignal } = {},
  ): Promise<T> {
    return this.req<T>("get", ref, {
      method: "GET",
      idempotent: true,
      sub: opts.subresource,
      signal: opts.signal,
    });
  }

  /** Every page of a list, one page at a time (for very large collections). */
  async *listPages<const R extends TypeRef & { namespace?: string }, T = ObjectOf<R>>(
    ref: R,
    opts: ListOptions = {},
  ): AsyncGenerator<ListResult<T>> {
    let cont: string | undefined;
    do {
      const page = await this.req<{
        items: T[];
        metadata: { resourceVersion: string; continue?: string };
      }>("list", ref, {
        method: "GET",
        idempotent: true,
        accept: opts.metadataOnly ? METADATA_ONLY : undefined,
        all: opts.allNamespaces,
        signal: opts.signal,
        query: {
          labelSelector: selectorString(opts.labelSelector),
          fieldSelector: selectorString(opts.fieldSelector),
          limit: opts.limit ?? 500,
          continue: cont,
        },
      });
      const kind = ref.kind;
      // An empty PartialObjectMetadataList comes back with `items: null`.
      page.items ??= [];
      for (const item of page.items)
        Object.assign(item as object, { apiVersion: ref.apiVersion, kind });
      yield { items: page.items, resourceVersion: page.metadata.resourceVersion };
      cont = page.metadata.continue || undefined;
    } while (cont);
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

  private static target(obj: {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string };
  }): ObjectRef {
    if (!obj || typeof obj !== "object" || !obj.apiVersion || !obj.kind) {
      throw new ClientError(
        "input",
        `an object needs apiVersion and kind; got ${JSON.stringify(obj)?.slice(0, 120)}`,
      );
    }
    return {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata?.name,
      namespace: obj.metadata?.namespace,
    };
  }

  private writeQuery(opts: WriteOptions, force?: boolean) {
    return {
      dryRun: opts.dryRun ? "All" : undefined,
      fieldManager: opts.fieldManager,
      force: force === undefined ? undefined : String(force),
    };
  }

  /** Create `obj` (POST); answers the object as stored. `AlreadyExistsError` if the name is taken. */
  async create<
    const O extends TypeRef & {
      metadata?: { name?: string; generateName?: string; namespace?: string };
    },
    T = ObjectOf<O>,
  >(obj: O, opts: WriteOptions = {}): Promise<T> {
    const ref = KubeClient.target(obj);
    if (!ref.name && !obj.metadata?.generateName)
      throw new ClientError(
        "input",
        `create ${describe(ref)}: metadata.name or metadata.generateName is required`,
      );
    return this.req<T>(
      "create",
      { ...ref, name: undefined },
      { method: "POST", body: obj, query: this.writeQuery(opts), signal: opts.signal },
    );
  }

  /** Replace `obj` whole (PUT); carrying its resourceVersion makes a concurrent change a `ConflictError`. */
  async replace<
    const O extends TypeRef & { metadata?: { name?: string; namespace?: string } },
    T = ObjectOf<O>,
  >(obj: O, opts: WriteOptions = {}): Promise<T> {
    const ref = this.named(KubeClient.target(obj), "replace");
    return this.req<T>("replace", ref, {
      method: "PUT",
      body: obj,
      idempotent: true,
      sub: opts.subresource,
      query: this.writeQuery(opts),
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
    return this.req<T>(`patch (${type})`, this.named(ref, "patch"), {
      method: "PATCH",
      body: patch,
      contentType: PATCH_CONTENT[type],
      sub: opts.subresource,
      query: this.writeQuery(opts),
      signal: opts.signal,
    });
  }

  /** Server-side apply: the fields in `obj` become owned by the field manager. */
  async apply<
    const O extends TypeRef & { metadata?: { name?: string; namespace?: string } },
    T = ObjectOf<O>,
  >(obj: O, opts: WriteOptions & { force?: boolean } = {}): Promise<T> {
    const ref = this.named(KubeClient.target(obj), "apply");
    return this.req<T>("apply", ref, {
      method: "PATCH",
      body: obj,
      contentType: "application/apply-patch+yaml",
      idempotent: true,
      sub: opts.subresource,
      query: this.writeQuery(opts, opts.force ?? false),
      signal: opts.signal,
    });
  }

  /** Delete one object; answers what the server returned (the object, or a Status). */
  async delete<R extends Named>(ref: R, opts: DeleteOptions = {}): Promise<KubeObject> {
    return this.req<KubeObject>("delete", this.named(ref, "delete"), {
      method: "DELETE",
      idempotent: true,
      signal: opts.signal,
      // With a DeleteOptions body the server ignores query parameters: dryRun goes in the body.
      body: {
        apiVersion: "v1",
        kind: "DeleteOptions",
        dryRun: opts.dryRun ? ["All"] : undefined,
        propagationPolicy: opts.propagationPolicy,
        gracePeriodSeconds: opts.gracePeriodSeconds,
        preconditions: opts.preconditions,
      },
    });
  }

  private named<R extends ObjectRef>(ref: R, verb: string): R & { name: string } {
    if (!ref.name)
      throw new ClientError("input", `${verb} ${describe(ref)}: metadata.name is required`);
    return ref as R & { name: string };
  }

  /** One watch stream (see watch.ts); `watch` reconnects. */
  async *watchOnce<
    const R extends TypeRef & { namespace?: string; name?: string },
    T = ObjectOf<R>,
  >(ref: R, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const { info, namespace } = await this.locate(
      { ...ref, name: undefined },
      { allNamespaces: opts.allNamespaces },
    );
    const timeoutSeconds = opts.timeoutSeconds ?? 290;
    const state = opts.state ?? {
      resourceVersion: opts.resourceVersion,
      initialEventsEnded: false,
    };
    const object = describe({ ...ref, namespace });
    const fieldSelector = ref.name
      ? `metadata.name=${ref.name}`
      : selectorString(opts.fieldSelector);
    // Once a streaming list has delivered its initial state, resuming is a plain watch.
    const streaming = opts.sendInitialEvents === true && !state.initialEventsEnded;
    const inactivityMs = opts.inactivityMs ?? (timeoutSeconds + 30) * 1000;
    const res = await this.http.open({
      method: "GET",
      path: resourcePath(info, namespace),
      describe: { verb: "watch", object },
      accept: opts.metadataOnly ? METADATA_ONLY_WATCH : undefined,
      signal: opts.signal,
      // The server sends a watch's headers at once: a connection that stays silent longer
      // than the inactivity window is as stalled before them as after.
      timeoutMs: Math.min(30_000, inactivityMs),
      query: {
        watch: "true",
        resourceVersion: state.resourceVersion,
        allowWatchBookmarks: opts.allowWatchBookmarks ?? true,
        timeoutSeconds,
        labelSelector: selectorString(opts.labelSelector),
        fieldSelector,
        sendInitialEvents: streaming ? "true" : undefined,
        resourceVersionMatch: streaming ? "NotOlderThan" : undefined,
      },
    });
    yield* watchStream<T>(res, { verb: "watch", object }, state, inactivityMs);
  }

  /**
   * Watch that reconnects by itself from the last resourceVersion (watcher.ts). Throws
   * GoneError when that version is too old: list again and watch from the list's version.
   */
  watch<const R extends TypeRef & { namespace?: string; name?: string }, T = ObjectOf<R>>(
    ref: R,
    opts: WatchOptions & { onReconnect?: (e: unknown, delayMs: number) => void } = {},
  ): AsyncGenerator<WatchEvent<T>> {
    return watcher<T>(
      { watch: (from, signal) => this.watchOnce<R, T>(ref, { ...opts, state: from, signal }) },
      {
        signal: opts.signal,
        position: opts.state ?? {
          resourceVersion: opts.resourceVersion,
          initialEventsEnded: false,
        },
        streamingList: opts.sendInitialEvents,
        fatal: unrecoverable,
        onState: (s, failure) => {
          if (failure && s.phase === "backoff") opts.onReconnect?.(failure.error, s.delayMs);
        },
      },
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
