/**
 * Writing and removing the local loop's webhook configurations without ever touching someone
 * else's. The names are fixed (`<operator>-local-webhooks`, so a restart replaces what a
 * killed run left behind), which means a configuration of that name may already exist:
 *
 * - one carrying capstan's `MANAGED_BY` label and this operator's `OWNER` annotation is ours
 *   (a run that was SIGKILLed left it, pointing at a dead port) and is replaced;
 * - any other is refused before anything is written: the error and the log name it and say
 *   why, and it is never changed nor deleted;
 * - ours of a kind no longer served (the handlers changed since the killed run) is deleted:
 *   else a validating one would refuse its kinds until someone removes it by hand.
 *
 * Writes carry the checked object's resourceVersion (or are creates), so a change between
 * the check and the write is a conflict, never an overwrite; removal carries the uid written,
 * so a configuration that replaced ours in the meantime is left alone.
 */
import type { KubeClient } from "../../client/client.js";
import { ConflictError, NotFoundError } from "../../client/errors.js";
import type { Logger } from "../log.js";
import { MANAGED_BY, OWNER, type WebhookConfiguration } from "./configuration.js";

interface Stored {
  metadata?: {
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

interface Written {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** The configurations one webhook server registered, and how to take them back. */
export class Registration {
  private written: Written[] = [];

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly owner: string,
  ) {}

  /**
   * Create or replace `objs`, all named `name`, and delete our own configuration of a kind
   * not among them; throws, changing nothing, if a name `objs` need is someone else's.
   */
  async write(name: string, objs: WebhookConfiguration[]): Promise<void> {
    const current = await Promise.all(objs.map((o) => this.get(refOf(o))));
    objs.forEach((o, i) => {
      const why = foreignness(current[i], this.owner);
      if (!why) return;
      const message =
        `${o.kind} ${o.metadata.name} exists and is not managed by capstan operator ${this.owner}; ` +
        `refusing to change it (${why}). If it is a leftover, delete it ` +
        `(kubectl delete ${o.kind.toLowerCase()} ${o.metadata.name}); otherwise give the operator another name`;
      this.log.error({ kind: o.kind, name: o.metadata.name }, message);
      throw new Error(message);
    });
    for (const kind of KINDS.filter((k) => !objs.some((o) => o.kind === k))) {
      const ref = { apiVersion: API_VERSION, kind, name };
      const c = await this.get(ref);
      if (!c || foreignness(c, this.owner)) continue;
      await this.client
        .delete(ref, { preconditions: { uid: c.metadata?.uid } })
        .catch((e: unknown) => {
          if (!(e instanceof NotFoundError || e instanceof ConflictError)) throw e;
        });
      this.log.info({ kind, name }, `removed ${kind} ${name} left by an earlier run`);
    }
    const written: Written[] = [];
    for (const [i, o] of objs.entries()) {
      const rv = current[i]?.metadata?.resourceVersion;
      const stored = rv
        ? await this.client.replace<WebhookConfiguration, Stored>({
            ...o,
            metadata: { ...o.metadata, resourceVersion: rv } as WebhookConfiguration["metadata"],
          })
        : await this.client.create<WebhookConfiguration, Stored>(o);
      written.push({ ...refOf(o), uid: stored.metadata?.uid ?? "" });
      // Kept as written so far: if a later one fails, close() still removes this one.
      this.written = [...written, ...this.written.filter((w) => !written.some((n) => same(n, w)))];
    }
  }

  private async get(ref: { apiVersion: string; kind: string; name: string }) {
    return this.client.get<typeof ref, Stored>(ref).catch((e: unknown) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    });
  }

  /** Delete what was written, unless it was replaced since (its uid changed). */
  async remove(): Promise<void> {
    for (const w of this.written) {
      const { uid, ...ref } = w;
      await this.client.delete(ref, { preconditions: { uid } }).catch((e: unknown) => {
        if (e instanceof NotFoundError) return;
        if (e instanceof ConflictError)
          return this.log.warn(
            { kind: w.kind, name: w.name },
            `${w.kind} ${w.name} was replaced since this operator registered it; left alone`,
          );
        throw e;
      });
    }
    this.written = [];
  }
}

const API_VERSION = "admissionregistration.k8s.io/v1";
const KINDS = ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"] as const;

const refOf = (o: WebhookConfiguration) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
});

const same = (a: Written, b: Written) => a.kind === b.kind && a.name === b.name;

/** Why an existing configuration is not `owner`'s, or undefined when it is (or is absent). */
function foreignness(c: Stored | undefined, owner: string): string | undefined {
  if (!c) return undefined;
  const [key, value] = Object.entries(MANAGED_BY)[0]!;
  if (c.metadata?.labels?.[key] !== value) return `it has no ${key}=${value} label`;
  const theirs = c.metadata?.annotations?.[OWNER];
  if (theirs !== owner)
    return theirs ? `it belongs to capstan operator ${theirs}` : `it has no ${OWNER} annotation`;
  return undefined;
}
