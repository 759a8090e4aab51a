/**
 * API discovery: which resource (plural), scope and subresources serve an apiVersion+kind.
 * One request per group/version, cached; a kind missing from the cache triggers one
 * refresh of its group/version, so a CRD installed after start-up is found.
 */
import { parseApiVersion } from "../core/object.js";
import { ClientError, NotFoundError } from "./errors.js";
import type { Transport } from "./http.js";

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

  /** Forget everything (after CRDs change wholesale). */
  reset(): void {
    this.byGroupVersion.clear();
    this.fetched.clear();
  }
}
