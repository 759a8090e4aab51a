// `capstan dev` logs for a person on a terminal and for a machine elsewhere: pure, no cluster.
import assert from "node:assert/strict";
import { test } from "node:test";
import { devEnv } from "./dev.js";

test("on a terminal, capstan dev's operator prints human log lines", () => {
  assert.equal(devEnv({}, true).CAPSTAN_LOG_FORMAT, "pretty");
});

test("piped, capstan dev's operator keeps JSON log lines", () => {
  assert.equal(devEnv({}, false).CAPSTAN_LOG_FORMAT, undefined);
});

test("a CAPSTAN_LOG_FORMAT the user set wins over the terminal", () => {
  assert.equal(devEnv({ CAPSTAN_LOG_FORMAT: "json" }, true).CAPSTAN_LOG_FORMAT, "json");
});
