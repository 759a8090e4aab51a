// An Operator's life is one run: asking whether it synced before it runs is an error, not a
// promise that never settles, and a second run cannot duplicate its controllers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { useOperatorFixture } from "../../testing/index.js";
import { createLogger, Operator, RuntimeError } from "../index.js";

const f = useOperatorFixture();

const newOperator = () => new Operator({ client: f.kube, log: createLogger({ level: "silent" }) });

test("synced() before run() rejects at once, saying to call run()", async () => {
  await assert.rejects(
    newOperator().synced(),
    (e: unknown) => e instanceof RuntimeError && /call run\(\) first/.test(e.message),
  );
});

test("a second run() of one Operator is refused and the first keeps running", async () => {
  const op = newOperator();
  const abort = new AbortController();
  const first = op.run({ signal: abort.signal });
  try {
    await assert.rejects(
      op.run({ signal: abort.signal }),
      (e: unknown) => e instanceof RuntimeError && /already been run/.test(e.message),
    );
    await op.synced();
  } finally {
    abort.abort();
    await first;
  }
});

test("a malformed apiVersion is refused at start, naming the controller and the field", async () => {
  const op = newOperator().controller({
    name: "typo",
    for: { apiVersion: "example.com/v1/extra", kind: "Widget" },
    reconcile: async () => undefined,
  });
  await assert.rejects(
    op.run(),
    (e: unknown) =>
      e instanceof RuntimeError &&
      /controller typo: for\.apiVersion: "example\.com\/v1\/extra" is not of the form group\/version/.test(
        e.message,
      ),
  );
});
