/**
 * The webhook server's own certificate authority: applies rotation.ts's decisions (make a CA,
 * issue the serving certificate, retire a CA) until the state is steady, and says when to
 * look again. The clock is injected so that a test can force a rotation.
 *
 * Caveat: the state lives in this process. Each start makes a new CA, which is right for
 * the local loop (`capstan dev`, tests) where the operator registers its own configurations;
 * keeping it in a Secret shared by replicas is the next step (docs/webhooks.md).
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

export interface AuthorityOptions {
  /** Shown in the CA's common name. */
  name: string;
  ips: string[];
  dns: string[];
  policy?: RotationPolicy;
  now?: () => number;
}

type Certs = typeof CertsModule;
type Ca = CertPem & { since: number };

export class CertAuthority {
  private readonly cas: Ca[] = [];
  private leaf?: CertPem & { since: number; issuer: Ca };
  private readonly policy: RotationPolicy;
  private readonly now: () => number;
  private certs?: Certs;

  constructor(private readonly opts: AuthorityOptions) {
    this.policy = opts.policy ?? DEFAULT_POLICY;
    checkPolicy(this.policy);
    this.now = opts.now ?? Date.now;
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
