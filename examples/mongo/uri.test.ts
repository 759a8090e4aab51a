// The admin connection string's checks and redaction (pure: no server, no cluster).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAdminUri, redact, secretsOf } from "./uri.js";

const PW = "s3cr%2Ft";

describe("parseAdminUri", () => {
  test("a valid connection string gives its user and the secrets to redact", () => {
    const parsed = parseAdminUri(`mongodb://ops:${PW}@h1:1,h2:2/?authSource=admin\n`);
    assert.ok(!("problem" in parsed));
    assert.equal(parsed.username, "ops");
    assert.ok(parsed.secrets.includes(PW) && parsed.secrets.includes("s3cr/t"));
  });

  test("every malformed connection string is a problem that quotes neither spelling of the password", () => {
    for (const uri of [
      `http://ops:${PW}@h/`,
      `mongodb://ops:${PW}@`,
      `mongodb://ops:${PW}@h:99999/`,
      `mongodb://ops:${PW}@[::1/`,
      `mongodb://ops:s3cr/t@h/`,
      `mongodb+srv://ops:${PW}@h:1/`,
      `mongodb://ops:${PW}@h/?bogus=1`,
    ]) {
      const parsed = parseAdminUri(uri);
      assert.ok("problem" in parsed, `${uri} is refused`);
      assert.ok(!parsed.problem.includes("s3cr"), `no password in: ${parsed.problem}`);
    }
  });
});

describe("redact", () => {
  test("removes known secrets and the credentials of any connection string", () => {
    const text = `failed for mongodb://u:other@h/ with ${PW} and s3cr/t`;
    assert.equal(
      redact(text, secretsOf(`mongodb://u:${PW}@h/`)),
      "failed for mongodb://***@h/ with *** and ***",
    );
  });
});
