// The decisions of external ownership (claim, refuse, may drop) as pure logic, over an
// in-memory ledger; the database operators' tests run the same rules on real servers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OwnershipConflictError } from "./children.js";
import { PermanentError } from "../errors.js";
import { claimExternal, mayDropExternal, ownerMark, type Ledger } from "./external.js";

function memoryLedger(): Ledger & { rows: Map<string, string> } {
  const rows = new Map<string, string>();
  return {
    rows,
    read: async (r) => rows.get(r),
    claim: async (r, m) => (rows.has(r) ? false : (rows.set(r, m), true)),
    release: async (r, m) => void (rows.get(r) === m && rows.delete(r)),
  };
}
const obj = (ns: string, uid: string) => ({
  kind: "MySQLDatabase",
  metadata: { namespace: ns, name: "app", uid },
});
const opts = (exists = false) => ({
  describe: "MySQL database app",
  exists: async () => exists,
  reserved: ["mysql", "sys"],
});

test("the first object claims a free resource and records its mark before creating it", async () => {
  const l = memoryLedger();
  assert.equal(await claimExternal(l, obj("a", "u1"), "app", opts()), "claimed");
  assert.equal(l.rows.get("app"), ownerMark(obj("a", "u1")));
});

test("the same object finds the resource its own on the next reconcile", async () => {
  const l = memoryLedger();
  await claimExternal(l, obj("a", "u1"), "app", opts());
  assert.equal(await claimExternal(l, obj("a", "u1"), "app", opts(true)), "ours");
});

test("an object of the same name in another namespace gets a conflict that does not name the holder", async () => {
  const l = memoryLedger();
  await claimExternal(l, obj("a", "u1"), "app", opts());
  await assert.rejects(claimExternal(l, obj("b", "u2"), "app", opts(true)), (e: unknown) => {
    assert.ok(e instanceof OwnershipConflictError);
    assert.equal(e.reason, "Conflict");
    assert.doesNotMatch(e.message, /\ba\/app\b|u1/);
    return true;
  });
});

test("a resource that exists without a record is never adopted", async () => {
  const l = memoryLedger();
  await assert.rejects(
    claimExternal(l, obj("a", "u1"), "app", opts(true)),
    /already exists and was not created by this operator/,
  );
  assert.equal(l.rows.size, 0);
});

test("a reserved name is refused permanently, whatever its case", async () => {
  await assert.rejects(
    claimExternal(memoryLedger(), obj("a", "u1"), "MySQL", opts()),
    (e: unknown) => e instanceof PermanentError && e.reason === "Reserved",
  );
});

test("only the recorded owner may drop", async () => {
  const l = memoryLedger();
  await claimExternal(l, obj("a", "u1"), "app", opts());
  assert.equal(await mayDropExternal(l, obj("a", "u1"), "app"), true);
  assert.equal(await mayDropExternal(l, obj("b", "u2"), "app"), false);
  assert.equal(await mayDropExternal(l, obj("a", "u1"), "other"), false);
});

test("of two objects racing for one resource, exactly one wins", async () => {
  const l = memoryLedger();
  const results = await Promise.allSettled([
    claimExternal(l, obj("a", "u1"), "app", opts()),
    claimExternal(l, obj("b", "u2"), "app", opts()),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
});
