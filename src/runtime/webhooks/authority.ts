/**
 * The webhook server's own certificate authority: applies rotation.ts's decisions (make a CA,
 * issue the serving certificate, retire a CA) until the state is steady, and says when to
 * look again. The clock is injected so that a test can force a rotation.
 *
 * The state lives in this process unless given (`state`) and read back (`state()`): the
 * local loop makes a new CA per start; secret-store.ts keeps it in a Secret shared by
 * replicas.
 */
import type * as CertsModule from "./certs.js";
import type { CertPem } from "./certs.js";
import { checkPolicy, decide, DEFAULT_POLICY, type RotationPolicy } from "./rotation.js";

export interface ServingCerts {
  /** Every trusted CA, PEM, concatenated: the configurations' `caBundle` (base64 of this). */
  caBundle: string;
  cert: string;
  key: string;
}

/**
 * Where the webhook server's certificates come from: this authority (in memory), a Secret
 * shared by replicas (secret-store.ts) or files (cert-files.ts). The server calls
 * `reconcile()` at start, when `next` comes and when `watch` says something changed; on
 * `changed` it re-registers the bundle, then serves the new certificate.
 */
export interface CertSource {
  readonly current: ServingCerts;
  reconcile(): Promise<{ changed: boolean; next: number }>;
  /** Call `onChange` when the certificates changed elsewhere (another replica, a file). */
  watch?(onChange: () => void): void;
  close?(): void;
}

export interface AuthorityOptions {
  /** Shown in the CA's common name. */
  name: string;
  ips: string[];
  dns: string[];
  policy?: RotationPolicy;
  now?: () => number;
  /** Start from these certificates (read from a Secret) instead of none. */
  state?: AuthorityState;
}

/** Every CA and the serving certificate, with keys: what a Secret keeps between replicas. */
export interface AuthorityState {
  cas: (CertPem & { since: number })[];
  /** `issuer`: the index in `cas`; `names`: the SANs it was issued for. */
  leaf?: CertPem & { since: number; issuer: number; names: string };
}

type Certs = typeof CertsModule;
type Ca = CertPem & { since: number };

export class CertAuthority implements CertSource {
  private readonly cas: Ca[] = [];
  private leaf?: CertPem & { since: number; issuer: Ca };
  private readonly policy: RotationPolicy;
  private readonly now: () => number;
  private certs?: Certs;

  constructor(private readonly opts: AuthorityOptions) {
    this.policy = opts.policy ?? DEFAULT_POLICY;
    checkPolicy(this.policy);
    this.now = opts.now ?? Date.now;
    const st = opts.state;
    if (st) {
      this.cas.push(...st.cas.map((c) => ({ ...c })));
      const issuer = st.leaf && this.cas[st.leaf.issuer];
      // A leaf issued for other names (another Service) is as good as none.
      if (st.leaf && issuer && st.leaf.names === this.names()) this.leaf = { ...st.leaf, issuer };
    }
  }

  /** The certificates as plain data, to keep (secret-store.ts). */
  state(): AuthorityState {
    const leaf = this.leaf;
    return {
      cas: this.cas.map((c) => ({ ...c })),
      leaf: leaf && {
        cert: leaf.cert,
        key: leaf.key,
        notBefore: leaf.notBefore,
        notAfter: leaf.notAfter,
        since: leaf.since,
        issuer: this.cas.indexOf(leaf.issuer),
        names: this.names(),
      },
    };
  }

  private names(): string {
    return [...this.opts.ips, ...this.opts.dns].join(",");
  }

  /** The certificates to serve and trust; call `reconcile()` first. */
  get current(): ServingCerts {
    if (!this.leaf) throw new Error("webhook certificates: reconcile() has not run yet");
    return {
      caBundle: this.cas.map((c) => c.cert.trimEnd() + "\n").join(""),
      cert: this.leaf.cert,
      key: this.leaf.key,
    };
  }

  /** Rotate what is due; `changed` when the bundle or the serving certificate changed. */
  async reconcile(): Promise<{ changed: boolean; next: number }> {
    this.certs ??= await import("./certs.js");
    let changed = false;
    for (;;) {
      const now = this.now();
      const issuer = this.leaf ? this.cas.indexOf(this.leaf.issuer) : -1;
      const a = decide(
        { cas: this.cas, leaf: this.leaf && { ...this.leaf, issuer } },
        now,
        this.policy,
      );
      switch (a.type) {
        case "steady":
          return { changed, next: a.next };
        case "create-ca": {
          const ca = await this.certs.createCa({
            now,
            validityMs: this.policy.caValidityMs,
            name: this.opts.name,
          });
          this.cas.push({ ...ca, since: now });
          break;
        }
        case "issue-leaf": {
          const ca = this.cas[a.ca]!;
          const leaf = await this.certs.issueServing(ca, {
            now,
            validityMs: this.policy.leafValidityMs,
            ips: this.opts.ips,
            dns: this.opts.dns,
          });
          this.leaf = { ...leaf, since: now, issuer: ca };
          break;
        }
        case "retire-ca":
          this.cas.splice(a.ca, 1);
          break;
        default:
          return a satisfies never;
      }
      changed = true;
    }
  }
}
