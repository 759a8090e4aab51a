/**
 * The options of the admission webhook server (server.ts): where it listens, whether it
 * registers its configurations, and where its certificates come from (cert-source.ts). They
 * live apart from both so that the server and its certificate source read them without
 * importing each other.
 */
import type { RotationPolicy } from "./rotation.js";

/** Where the serving certificates come from: see cert-source.ts. */
export type CertsOption =
  | { secret: { namespace: string; name: string } }
  | { dir: string; /** The periodic check besides fs.watch (default 10 s). */ pollMs?: number };

/** Where and how the admission webhook server serves and registers itself. */
export interface WebhookServeOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1 (the local loop). */
  host?: string;
  /**
   * Register the configurations pointing at this process (the local loop). `exclude`: the
   * namespaces never sent (the operator's own); `only`: limit them to these. `owner` (default
   * `name`): the operator they belong to; a configuration of that name that is not the
   * owner's is refused, never changed (registration.ts).
   */
  register?: { name: string; exclude: string[]; only?: string[]; owner?: string };
  policy?: RotationPolicy;
  /**
   * Where the certificates come from (cert-source.ts): made in memory (default), kept in a
   * Secret shared by replicas, or read from files (cert-manager).
   */
  certs?: CertsOption;
  /** Names the serving certificate is for, besides `host` (a Service's DNS names). */
  dns?: string[];
  /** Keep `caBundle` current in the configurations of this name (made by generate deploy). */
  inject?: { name: string };
  /** The clock, for tests of rotation. */
  now?: () => number;
}
