import assert from "node:assert/strict";
import { test } from "node:test";
import { checkPolicy, decide, DEFAULT_POLICY, type CertState } from "./rotation.js";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const p = DEFAULT_POLICY;

/** Apply decisions as the driver does, from `from` to `to`, recording each action and when. */
function simulate(from: number, to: number, s: CertState = { cas: [] }) {
  const log: { at: number; type: string; ca?: number; bundle: number }[] = [];
  let now = from;
  for (let guard = 0; guard < 10_000; guard++) {
    const a = decide(s, now, p);
    if (a.type === "steady") {
      assert.ok(a.next > now, `steady at ${now} must look again later, not at ${a.next}`);
      if (a.next > to) return { s, log };
      now = a.next;
      continue;
    }
    if (a.type === "create-ca") s.cas.push({ since: now, notAfter: now + p.caValidityMs });
    if (a.type === "issue-leaf") {
      const notAfter = Math.min(now + p.leafValidityMs, s.cas[a.ca]!.notAfter);
      s.leaf = { since: now, notAfter, issuer: a.ca };
    }
    if (a.type === "retire-ca") {
      s.cas.splice(a.ca, 1);
      if (s.leaf && s.leaf.issuer > a.ca) s.leaf.issuer--;
    }
    log.push({ at: now, type: a.type, ca: "ca" in a ? a.ca : undefined, bundle: s.cas.length });
  }
  throw new Error("no steady state");
}

test("a first start makes one CA and a serving certificate signed by it", () => {
  assert.deepEqual(decide({ cas: [] }, 0, p), { type: "create-ca" });
  const s: CertState = { cas: [{ since: 0, notAfter: p.caValidityMs }] };
  assert.deepEqual(decide(s, 0, p), { type: "issue-leaf", ca: 0 });
});

test("the serving certificate is renewed leafRenewBeforeMs before it expires", () => {
  const s: CertState = {
    cas: [{ since: 0, notAfter: p.caValidityMs }],
    leaf: { since: 0, notAfter: 30 * DAY, issuer: 0 },
  };
  const steady = decide(s, DAY, p);
  assert.deepEqual(steady, { type: "steady", next: 20 * DAY });
  assert.deepEqual(decide(s, 20 * DAY, p), { type: "issue-leaf", ca: 0 });
});

test("a new CA is trusted for overlapMs before it signs the serving certificate", () => {
  const s: CertState = {
    cas: [
      { since: 0, notAfter: p.caValidityMs },
      { since: 300 * DAY, notAfter: 300 * DAY + p.caValidityMs },
    ],
    leaf: { since: 290 * DAY, notAfter: 320 * DAY, issuer: 0 },
  };
  assert.deepEqual(decide(s, 300 * DAY + HOUR / 2, p), {
    type: "steady",
    next: 300 * DAY + HOUR,
  });
  assert.deepEqual(decide(s, 300 * DAY + HOUR, p), { type: "issue-leaf", ca: 1 });
});

test("the old CA stays in the bundle for overlapMs after the switch, then leaves", () => {
  const s: CertState = {
    cas: [
      { since: 0, notAfter: p.caValidityMs },
      { since: 300 * DAY, notAfter: 300 * DAY + p.caValidityMs },
    ],
    leaf: { since: 301 * DAY, notAfter: 331 * DAY, issuer: 1 },
  };
  assert.equal(decide(s, 301 * DAY + HOUR / 2, p).type, "steady");
  assert.deepEqual(decide(s, 301 * DAY + HOUR, p), { type: "retire-ca", ca: 0 });
});

test("over three years the CA and the serving certificate never expire, nor together", () => {
  const { log, s } = simulate(0, 3 * 365 * DAY);
  const cas = log.filter((l) => l.type === "create-ca").map((l) => l.at);
  assert.equal(cas.length, 4, "a CA at start, then one every 275 days");
  for (const l of log.filter((x) => x.type === "retire-ca"))
    assert.ok(l.bundle >= 1, "the bundle is never empty");
  // Every leaf switch to a new CA happens overlapMs after that CA entered the bundle.
  for (const at of cas.slice(1))
    assert.ok(log.some((l) => l.type === "issue-leaf" && l.at === at + p.overlapMs));
  assert.ok(s.leaf!.notAfter > 3 * 365 * DAY);
  assert.ok(s.cas.at(-1)!.notAfter - s.leaf!.notAfter > p.caRenewBeforeMs - p.leafValidityMs);
});

test("a policy that would renew forever is refused, naming the fields", () => {
  assert.throws(
    () => checkPolicy({ ...p, leafRenewBeforeMs: p.leafValidityMs }),
    /leafRenewBeforeMs must be shorter than leafValidityMs/,
  );
  assert.throws(() => checkPolicy({ ...p, overlapMs: p.caRenewBeforeMs }), /overlapMs/);
  checkPolicy(p);
});
