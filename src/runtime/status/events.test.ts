// Event names as pure logic: always a valid DNS subdomain, whatever the object's name.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkNameAs } from "../../core/names.js";
import { eventName } from "./events.js";

const SUFFIX = "0123456789abcdef";

test("an Event about a short name is the name, a dot and the suffix", () => {
  assert.equal(eventName("app", SUFFIX), `app.${SUFFIX}`);
});

test("an Event about a 253-character name is still a valid name of at most 253 characters", () => {
  const name = eventName("a".repeat(253), SUFFIX);
  assert.deepEqual(checkNameAs(name, "dns1123-subdomain"), []);
});

test("a cut that lands on '-' or '.' still gives a valid name", () => {
  for (const sep of ["-", "."]) {
    const owner = `${"b".repeat(235)}${sep}${"c".repeat(17)}`;
    assert.deepEqual(checkNameAs(eventName(owner, SUFFIX), "dns1123-subdomain"), [], sep);
  }
});

test("a name with characters a subdomain forbids (an RBAC name with ':') gives a valid name", () => {
  assert.deepEqual(checkNameAs(eventName("system:controller:x", SUFFIX), "dns1123-subdomain"), []);
});
