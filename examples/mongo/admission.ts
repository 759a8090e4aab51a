/**
 * The MongoUser's admission webhooks: the rules the CRD's schema cannot hold, checked when
 * an object is written instead of after the operator has tried, and a default the API
 * server cannot compute.
 *
 * - Defaulting: `spec.username` is `metadata.name` when left out (on an update, the stored
 *   username). A CRD default is a constant; this one depends on the object. The schema still
 *   requires the field and the API server checks it after this webhook, so while the operator
 *   is down (a mutate webhook fails open) a MongoUser without a username is refused by the
 *   schema, never stored with a wrong one.
 * - Validation, on create and update: the reserved names and roles (ledger.ts, the same
 *   rules the operator applies before touching the server) and a `passwordSecretRef` naming
 *   the admin Secret are refused with the field; a plaintext `spec.password` gets a warning.
 *   The operator checks them again when it reconciles: objects stored before the webhook
 *   existed, or while it was not served, are still refused there (`Reserved`,
 *   `InvalidReference`).
 *
 * The immutability of `spec.username` and `spec.database` is in the schema already (CEL
 * transition rules), so it needs no webhook.
 */
import { deny, type ObjectOf, type Operator } from "capstan";
import { reservedProblem } from "./ledger.js";
import { MongoUser } from "./resources.js";

type Mu = ObjectOf<typeof MongoUser>;

function check({ object, warn }: { object: Mu; warn(text: string): void }) {
  const { username, database = "admin", roles = [] } = object.spec;
  const reserved = reservedProblem(
    { ...object, ...MongoUser.typeRef },
    { username, database, roles },
  );
  if (reserved) return deny(reserved.message, reserved.field);
  if (object.spec.passwordSecretRef?.name === object.spec.adminSecretRef.name)
    return deny(
      `names the admin Secret ${object.spec.adminSecretRef.name} (spec.adminSecretRef), which is only ever read; name another Secret`,
      "spec.passwordSecretRef.name",
    );
  if (object.spec.password !== undefined && !object.spec.passwordSecretRef)
    warn("spec.password is stored in plaintext; move it to a Secret and use passwordSecretRef");
}

/** Register the MongoUser's validating and defaulting webhooks on `op`. */
export function mongoUserAdmission(op: Operator) {
  op.admission(MongoUser)
    .mutate(({ object, old }) => {
      // Absent at run time although the type (from the schema) says required: see above.
      const spec = object.spec as Partial<Mu["spec"]>;
      const name = old?.spec.username ?? object.metadata.name;
      if (spec.username === undefined && name) spec.username = name;
    })
    .validate({ create: check, update: check });
}
