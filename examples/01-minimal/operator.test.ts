// The first example, run the way a user runs it: `capstan run examples/01-minimal`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { eventually, useOperatorFixture } from "capstan/testing";
import { Sample } from "../crds/sample.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const f = useOperatorFixture({ crds: [Sample], spaces: ["ex01"] });

test("`capstan run examples/01-minimal` handles a created Sample and stops cleanly on SIGTERM", async () => {
  const bin = path.resolve(here, "../../../bin/capstan.js");
  const child = spawn(
    process.execPath,
    [bin, "run", here, "-n", f.ns.ex01, "--kubeconfig", f.cp.kubeconfig],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CAPSTAN_LOG_FORMAT: "json" },
    },
  );
  let out = "";
  // setEncoding decodes across chunks: a character may be split between two.
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  try {
    await eventually(async () => assert.match(out, /caches synced/), {
      what: "the operator to start",
    });
    await f.kube.create({
      apiVersion: "nuvolaris.org/v1",
      kind: "Sample",
      metadata: { name: "obj", namespace: f.ns.ex01 },
      spec: { count: 2 },
    });
    await eventually(async () => assert.match(out, /"msg":"sample created"/), {
      what: "the create handler to log",
    });
    const line = out.split("\n").find((l) => l.includes('"msg":"sample created"'))!;
    const rec = JSON.parse(line);
    assert.equal(rec.key, `${f.ns.ex01}/obj`, "every line carries the object key");
    assert.deepEqual(rec.spec, { count: 2 });
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0);
  assert.match(out, /operator stopped/);
});
