/**
 * API discovery: which resource (plural), scope and subresources serve an apiVersion+kind.
 * One request per group/version, cached; a kind missing from the cache triggers one
 * refresh of its group/version, so a CRD installed after start-up is found.
 */
import { parseApiVersion } from "../core/object.js";
import { ClientError, NotFoundError } from "./errors.js";
import type { Transport } from "./http.js";
import { suggestKinds, type ServedKind, type Suggestion } from "./suggest.js";

/** Every group, version and resource in one response per root (Kubernetes 1.30+). */
const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

interface AggregatedList {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: {
        resource: string;
        singularResource?: string;
        responseKind?: { kind: string };
      }[];
    }[];
  }[];
  /** A server without aggregated discovery answers with the legacy APIGroupList. */
  groups?: { name: string; versions: { groupVersion: string }[] }[];
}

/** What discovery says about one kind: its resource (plural), scope, subresources and verbs. */
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  /** Plural resource name, e.g. `configmaps`. */
  resource: string;
  namespaced: boolean;
  subresources: Set<string>;
  verbs: string[];
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export class Discovery {
  private readonly byGroupVersion = new Map<string, Promise<Map<string, ResourceInfo>>>();
  /**
   * The same maps once fetched, read synchronously: every request resolves its kind here,
   * and awaiting the cached promise (with a `catch` for failures) cost two promises and a
   * microtask each time.
   */
  private readonly fetched = new Map<string, Map<string, ResourceInfo>>();

  constructor(private readonly http: Transport) {}

  private fetch(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    const { group } = parseApiVersion(apiVersion);
    const path = group ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const p = this.http
      .json<{ resources: APIResource[] }>({
        method: "GET",
        path,
        idempotent: true,
        describe: { verb: "discover", object: `apiVersion ${apiVersion}` },
      })
      .then((list) => {
        const kinds = new Map<string, ResourceInfo>();
        for (const r of list.resources) {
          const slash = r.name.indexOf("/");
          if (slash >= 0) {
            kinds.get(r.kind)?.subresources.add(r.name.slice(slash + 1));
            // Subresources can be listed before their parent; remember them by parent name.
            continue;
          }
          kinds.set(r.kind, {
            apiVersion,
            kind: r.kind,
            resource: r.name,
            namespaced: r.namespaced,
            subresources: new Set(),
            verbs: r.verbs,
          });
        }
        for (const r of list.resources) {
          const slash = r.name.indexOf("/");
          if (slash < 0) continue;
          const parent = [...kinds.values()].find((k) => k.resource === r.name.slice(0, slash));
          parent?.subresources.add(r.name.slice(slash + 1));
        }
        if (this.byGroupVersion.get(apiVersion) === p) this.fetched.set(apiVersion, kinds);
        return kinds;
      })
      .catch((e: unknown) => {
        if (e instanceof NotFoundError) return new Map<string, ResourceInfo>();
        throw e;
      });
    this.byGroupVersion.set(apiVersion, p);
    p.catch(() => this.byGroupVersion.delete(apiVersion));
    return p;
  }

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    if (!apiVersion || !kind) {
      throw new ClientError(
        "input",
        `an object needs apiVersion and kind (got ${JSON.stringify({ apiVersion, kind })})`,
      );
    }
    const known = this.fetched.get(apiVersion)?.get(kind);
    if (known) return known;
    const cached = this.byGroupVersion.get(apiVersion);
    const hit = cached && (await cached.catch(() => undefined))?.get(kind);
    if (hit) return hit;
    // A CRD that just became Established can take a moment to appear in discovery.
    for (const delay of [0, 200, 400]) {
      if (delay) await new Promise((r) => setTimeout(r, delay));
      const fresh = (await this.fetch(apiVersion)).get(kind);
      if (fresh) return fresh;
    }
    throw new ClientError(
      "discovery",
      `the server has no kind ${kind} in apiVersion ${apiVersion} (is its CRD installed?)`,
    );
  }

  /**
   * What the server serves that `apiVersion`+`kind` most likely meant (suggest.ts), for a
   * "did you mean …" when `resolve` fails: from aggregated discovery, or on older servers
   * from the group's other versions. Never cached: it runs on a failure path only.
   */
  async suggest(apiVersion: string, kind: string): Promise<Suggestion[]> {
    const { group } = parseApiVersion(apiVersion);
    const served: ServedKind[] = [];
    const roots = await Promise.all(["/api", "/apis"].map((path) => this.aggregated(path)));
    for (const list of roots) {
      for (const g of list.items ?? [])
        for (const v of g.versions ?? [])
          for (const r of v.resources ?? [])
            if (r.responseKind?.kind && !r.resource.includes("/"))
              served.push({
                apiVersion: g.metadata?.name ? `${g.metadata.name}/${v.version}` : v.version,
                kind: r.responseKind.kind,
                resource: r.resource,
                singular: r.singularResource,
              });
    }
    const legacy = roots[1]!.groups;
    if (legacy) {
      const versions = group
        ? (legacy.find((g) => g.name === group)?.versions.map((v) => v.groupVersion) ?? [])
        : ["v1"];
      for (const gv of new Set([apiVersion, ...versions]))
        for (const info of (await this.fetch(gv)).values())
          served.push({ apiVersion: gv, kind: info.kind, resource: info.resource });
    }
    return suggestKinds(apiVersion, kind, served);
  }

  private aggregated(path: string): Promise<AggregatedList> {
    return this.http.json<AggregatedList>({
      method: "GET",
      path,
      accept: `${AGGREGATED},application/json`,
      idempotent: true,
      describe: { verb: "discover", object: `the API groups under ${path}` },
    });
  }

  /** Forget everything (after CRDs change wholesale). */
  reset(): void {
    this.byGroupVersion.clear();
    this.fetched.clear();
  }
}
