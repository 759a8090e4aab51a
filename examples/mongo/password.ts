/**
 * Where a MongoUser's password comes from, and the one rule for writing it: a Secret the
 * MongoUser does not own is only ever read.
 *
 * - `spec.password` (deprecated plaintext): used as is.
 * - `spec.passwordSecretRef` naming a Secret that exists and is not this object's: its key
 *   is read; without the key the object is refused (`PasswordKeyMissing`, until an edit of
 *   the Secret re-queues it: the controller watches the Secrets its objects name) and the
 *   Secret is not written. Naming the admin Secret is refused
 *   outright (`InvalidReference`): it is only read, and a connection string is no password.
 * - Otherwise — the default Secret `<name>-mongo` (through `childName`, so long names stay
 *   unique) or a named Secret that does not exist yet — `ctx.ensureChild`: created with a
 *   generated password and owned, kept when it already has one, and refused with `Conflict`
 *   when a Secret of that name belongs to someone else.
 */
import { randomBytes } from "node:crypto";
import { NotFoundError } from "capstan/client";
import { childName, PermanentError, type ApiObject, type ReconcileContext } from "capstan";

export interface MuSpec {
  username: string;
  database?: string;
  roles?: string[];
  password?: string;
  passwordSecretRef?: { name: string; key?: string };
  adminSecretRef: { name: string };
}
export type Mu = ApiObject & { spec: MuSpec };

export interface Password {
  password: string;
  /** What a change is tracked by: the Secret's resourceVersion (never the password). */
  version: string;
  /** Where it came from, for messages: a field, a Secret and a key. */
  source: string;
}

export const SECRET = { apiVersion: "v1", kind: "Secret" } as const;
export const who = (mu: Mu) => `MongoUser ${mu.metadata.namespace}/${mu.metadata.name}`;
const b64 = (v: string | undefined) =>
  v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");

export async function readSecret(ctx: ReconcileContext<Mu>, namespace: string, name: string) {
  return ctx.client
    .get({ ...SECRET, namespace, name })
    .catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
}

export async function passwordOf(mu: Mu, ctx: ReconcileContext<Mu>): Promise<Password> {
  const ref = mu.spec.passwordSecretRef;
  if (mu.spec.password !== undefined && !ref)
    return {
      password: mu.spec.password,
      version: "plaintext",
      source: "spec.password",
    };
  const ns = mu.metadata.namespace!;
  const name = ref?.name ?? childName(mu, "mongo", { rule: "dns1123-subdomain" });
  const key = ref?.key ?? "password";
  const where = `Secret ${ns}/${name} key ${JSON.stringify(key)}`;
  const source = ref ? `spec.passwordSecretRef (${where})` : `the generated ${where}`;
  if (ref && name === mu.spec.adminSecretRef.name)
    throw new PermanentError(
      `${who(mu)}: spec.passwordSecretRef names the admin Secret ${ns}/${name} (spec.adminSecretRef), which is only ever read; name another Secret`,
      { reason: "InvalidReference" },
    );
  const live = await readSecret(ctx, ns, name);
  const ours = live?.metadata?.ownerReferences?.some(
    (r) => r.controller && r.uid === mu.metadata.uid,
  );
  const current = b64(live?.data?.[key]);
  if (live && !ours && ref) {
    if (!current)
      throw new PermanentError(
        `${who(mu)}: spec.passwordSecretRef: ${where} not found in the Secret, which this MongoUser does not own and so never writes; add the key, or name a Secret that does not exist yet to have one generated`,
        { reason: "PasswordKeyMissing" },
      );
    return { password: current, version: live.metadata!.resourceVersion!, source };
  }
  const password = (ours && current) || randomBytes(24).toString("base64url");
  const { object } = await ctx.ensureChild({
    ...SECRET,
    metadata: { name, namespace: ns },
    type: "Opaque",
    stringData: { [key]: password, username: mu.spec.username },
  });
  return { password, version: object.metadata.resourceVersion!, source };
}
