/**
 * Webhook certificates kept in a Secret in the operator's namespace, shared by every replica:
 * each loads the CA and serving certificate from it, so the API server sees one CA whichever
 * replica it calls. Rotation is authority.ts's state machine run on the Secret's content.
 *
 * Guarantees:
 * - One writer per change: a replica that finds something due writes the Secret with its
 *   `resourceVersion`; of two doing so at once, one wins and the other re-reads and takes
 *   the winner's certificates (optimistic concurrency, no leader needed).
 * - A Secret of that name that Capstan did not make (no `app.kubernetes.io/managed-by:
 *   capstan` label) is refused, naming it, and never overwritten.
 * - The others take a change up from a watch on the Secret (and at their own `next`).
 *
 * Assumptions: the replicas' clocks agree within the rotation's `overlapMs` (1 h by
 * default), and every replica runs with the same names (Service) for the certificate.
 */
import type { KubeClient } from "../../client/client.js";
import { ApiError } from "../../client/errors.js";
import type { Logger } from "../log.js";
import {
  CertAuthority,
  type AuthorityOptions,
  type AuthorityState,
  type CertSource,
  type ServingCerts,
} from "./authority.js";
import { MANAGED_BY } from "./configuration.js";

export interface SecretStoreOptions extends Omit<AuthorityOptions, "state"> {
  client: KubeClient;
  namespace: string;
  /** The Secret's name (generate deploy: `<operator>-webhook-certs`). */
  secret: string;
  log: Logger;
}

interface Secret {
  apiVersion: "v1";
  kind: "Secret";
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
  };
  type?: string;
  data?: Record<string, string>;
}

/** The key of the whole state (CAs with keys, since when); tls.* and ca.crt are views of it. */
export const STATE_KEY = "capstan-state.json";
const LABEL = "app.kubernetes.io/managed-by";

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** The Secret's state, or undefined when it has none yet; refuses a foreign or corrupt one. */
export function readState(s: Secret): AuthorityState | undefined {
  const ref = `Secret ${s.metadata.namespace}/${s.metadata.name}`;
  if (s.metadata.labels?.[LABEL] !== MANAGED_BY[LABEL])
    throw new Error(
      `webhook certificates: ${ref} exists and is not Capstan's (no label ${LABEL}=capstan): refusing to use or replace it; delete it or choose another name`,
    );
  const raw = s.data?.[STATE_KEY];
  if (!raw) return undefined;
  try {
    const st = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as AuthorityState;
    if (!Array.isArray(st.cas)) throw new Error("no cas");
    return st;
  } catch (e) {
    throw new Error(
      `webhook certificates: ${ref} data.${STATE_KEY} is not readable: ${String(e)}`,
      {
        cause: e,
      },
    );
  }
}

/** The Secret holding `st`: the state, and the current certificates as tls.crt/tls.key/ca.crt. */
export function secretOf(
  ref: {
    namespace: string;
    name: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  },
  st: AuthorityState,
  current: ServingCerts,
): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { ...ref.labels, ...MANAGED_BY },
      ...(ref.resourceVersion ? { resourceVersion: ref.resourceVersion } : {}),
    },
    type: "Opaque",
    data: {
      [STATE_KEY]: b64(JSON.stringify(st)),
      "tls.crt": b64(current.cert),
      "tls.key": b64(current.key),
      "ca.crt": b64(current.caBundle),
    },
  };
}

const same = (a?: ServingCerts, b?: ServingCerts) =>
  !!a && !!b && a.cert === b.cert && a.key === b.key && a.caBundle === b.caBundle;

/** The certificates of a Secret shared by replicas; see the module's guarantees. */
export class SecretCertStore implements CertSource {
  private served?: ServingCerts;
  private readonly abort = new AbortController();

  constructor(private readonly o: SecretStoreOptions) {}

  private get ref() {
    return { apiVersion: "v1", kind: "Secret", namespace: this.o.namespace, name: this.o.secret };
  }

  get current(): ServingCerts {
    if (!this.served) throw new Error("webhook certificates: reconcile() has not run yet");
    return this.served;
  }

  async reconcile(): Promise<{ changed: boolean; next: number }> {
    for (let attempt = 1; ; attempt++) {
      const found = await this.read();
      const ca = new CertAuthority({ ...this.o, state: found && readState(found) });
      const { changed, next } = await ca.reconcile();
      if (changed)
        try {
          await this.write(found, ca);
        } catch (e) {
          // Another replica wrote first: take its certificates instead.
          if (attempt < 5 && e instanceof ApiError && (e.code === 409 || e.code === 422)) continue;
          throw e;
        }
      const was = this.served;
      this.served = ca.current;
      if (changed) this.o.log.info({ secret: this.o.secret }, "webhook certificates written");
      return { changed: !same(was, this.served), next };
    }
  }

  /** Reconcile whenever the Secret changes (another replica rotated), until `close()`. */
  watch(onChange: () => void): void {
    void (async () => {
      while (!this.abort.signal.aborted) {
        try {
          for await (const ev of this.o.client.watch<typeof this.ref, Secret>(this.ref, {
            signal: this.abort.signal,
          })) {
            if (ev.type !== "ADDED" && ev.type !== "MODIFIED") continue;
            // A new CA joins the bundle before it signs anything: a change of either counts.
            const d = ev.object.data ?? {};
            const s = this.served;
            if (d["tls.crt"] !== b64(s?.cert ?? "") || d["ca.crt"] !== b64(s?.caBundle ?? ""))
              onChange();
          }
        } catch (e) {
          if (this.abort.signal.aborted) return;
          this.o.log.warn({ err: e, secret: this.o.secret }, "webhook certificates: watch ended");
          await new Promise((r) => setTimeout(r, 2000).unref());
        }
      }
    })();
  }

  close(): void {
    this.abort.abort();
  }

  private async read(): Promise<Secret | undefined> {
    try {
      return await this.o.client.get<typeof this.ref, Secret>(this.ref);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  private async write(found: Secret | undefined, ca: CertAuthority): Promise<void> {
    const body = secretOf(
      {
        namespace: this.o.namespace,
        name: this.o.secret,
        resourceVersion: found?.metadata.resourceVersion,
        labels: found?.metadata.labels,
      },
      ca.state(),
      ca.current,
    );
    if (found) await this.o.client.replace(body);
    else await this.o.client.create(body);
  }
}
