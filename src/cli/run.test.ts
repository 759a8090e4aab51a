// `capstan run` starting before its cluster: against an API server that is not there yet it
// keeps running, serves /healthz (alive) and /readyz (503 with the reason) from the start,
// and logs each retry; once the server answers (and its CRD exists) it becomes ready and
// reconciles. A kubeconfig that cannot work still stops it at once, naming the file.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KubeClient } from "../client/client.js";
import {
  eventually,
  installWidgetCrd,
  kubeconfigWithServer,
  startApiProxy,
  testNamespace,
  unusedPort,
  useControlPlane,
  type TestControlPlane,
} from "../testing/index.js";
import { scratchDir } from "../testing/scratch.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const group = "runstart.capstan.test";
let cp: TestControlPlane;
let kube: KubeClient;
let fixture: string;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  await installWidgetCrd(kube, group);
  fixture = path.join(scratchDir("capstan-runstart-"), "operator.mjs");
  const capstan = pathToFileURL(path.join(here, "..", "index.js")).href;
  // Exports its Widget resource, so `capstan run` waits for the CRD (group from the env).
  writeFileSync(
    fixture,
    `import { defineOperator, defineResource, done, z } from ${JSON.stringify(capstan)};
export const Widget = defineResource({
  group: process.env.WIDGET_GROUP, version: "v1", kind: "Widget",
  spec: z.object({ size: z.number().int().optional() }),
  status: z.object({ size: z.number().int().optional() }),
});
export default defineOperator((op) => op.controller({
  name: "mirror",
  for: Widget,
  async reconcile(w, ctx) {
    await ctx.patchStatus({ size: w.spec.size });
    return done();
  },
}));
`,
  );
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

interface Run {
  log: () => string;
  exited: Promise<number | null>;
  /** Resolves with the health port once it is served. */
  port: Promise<number>;
}

function capstanRun(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [path.join(here, "main.js"), "run", fixture, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WIDGET_GROUP: group, CAPSTAN_LOG_LEVEL: "info", ...env },
  });
  children.push(child);
  let log = "";
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const port = eventually(
    async () => {
      const m = /"port":(\d+),"msg":"serving \/healthz/.exec(log);
      assert.ok(m, `serving the health port:\n${log}`);
      return Number(m[1]);
    },
    { what: "the health port" },
  );
  port.catch(() => undefined); // observed by whoever awaits it
  child.stdout.on("data", (c: Buffer) => (log += c.toString()));
  child.stderr.on("data", (c: Buffer) => (log += c.toString()));
  return { log: () => log, exited, port };
}

async function get(port: number, p: string): Promise<{ code: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return { code: res.status, body: await res.text() };
}

/** `capstan run` against a loopback port where no API server listens (yet). */
async function runBeforeTheServer(ns: string): Promise<Run & { apiPort: number }> {
  const apiPort = await unusedPort();
  const kubeconfig = kubeconfigWithServer(cp.kubeconfig, `https://127.0.0.1:${apiPort}`);
  const run = capstanRun(["-n", ns, "--health-port", "0", "--kubeconfig", kubeconfig]);
  return { ...run, apiPort };
}

const waitingLine = (apiPort: number) =>
  new RegExp(
    `API server https://127\\.0\\.0\\.1:${apiPort} unreachable \\(ECONNREFUSED\\); retrying in \\d+(\\.\\d)? s`,
  );

test("`capstan run` against an unreachable API server keeps running, alive but not ready, and says why", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "rs-wait");
  cleanups.push(dispose);
  const run = await runBeforeTheServer(ns);
  const port = await run.port;
  await eventually(async () =>
    assert.match(run.log(), /capstan cluster status/, "the first line says how to check"),
  );
  // Two waiting lines: it retried after the first refusal instead of giving up.
  const lines = new RegExp(waitingLine(run.apiPort), "g");
  await eventually(async () => assert.ok((run.log().match(lines)?.length ?? 0) >= 2, run.log()), {
    what: "a second attempt",
  });
  assert.deepEqual(await get(port, "/healthz"), { code: 200, body: "ok\n" });
  const ready = await get(port, "/readyz");
  assert.equal(ready.code, 503);
  assert.match(ready.body, /waiting for the API server/);
  assert.equal((await get(port, "/metrics")).code, 200, "metrics are served while waiting");
});

test("`capstan run` becomes ready and reconciles once the API server it waited for answers", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "rs-up");
  cleanups.push(dispose);
  const run = await runBeforeTheServer(ns);
  const port = await run.port;
  await eventually(async () => assert.match(run.log(), waitingLine(run.apiPort)));
  const proxy = await startApiProxy(cp.kubeconfig, { port: run.apiPort });
  cleanups.push(() => proxy.close());
  await eventually(async () => assert.equal((await get(port, "/readyz")).code, 200, run.log()), {
    timeoutMs: 60_000,
    what: "ready once the API server answers",
  });
  const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
  await kube.create({ ...Widget, metadata: { name: "w", namespace: ns }, spec: { size: 3 } });
  await eventually(async () => {
    const w = (await kube.get({ ...Widget, namespace: ns, name: "w" })) as {
      status?: { size?: number };
    };
    assert.equal(w.status?.size, 3, "reconciled");
  });
});

test("`capstan run` waiting for its CRD is alive, not ready, names the CRD, and starts once it is installed", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "rs-crd");
  cleanups.push(dispose);
  const later = "runstart-later.capstan.test";
  const run = capstanRun(["-n", ns, "--health-port", "0", "--kubeconfig", cp.kubeconfig], {
    WIDGET_GROUP: later,
  });
  const port = await run.port;
  await eventually(async () => {
    const ready = await get(port, "/readyz");
    assert.equal(ready.code, 503);
    assert.match(
      ready.body,
      new RegExp(`waiting for CRD widgets\\.${later.replace(/\./g, "\\.")}`),
    );
  });
  assert.equal((await get(port, "/healthz")).code, 200, "alive: probes must not kill it");
  assert.match(
    run.log(),
    /--install-crds.*capstan generate crd \S+ \| kubectl apply -f -/,
    "the log says both ways to install the CRD",
  );
  cleanups.push(() =>
    kube.delete({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: `widgets.${later}`,
    }),
  );
  await installWidgetCrd(kube, later);
  await eventually(async () => assert.equal((await get(port, "/readyz")).code, 200, run.log()), {
    what: "ready once the CRD is installed",
  });
});

test("`capstan run` with a kubeconfig file that does not exist exits non-zero naming the file", async () => {
  const missing = path.join(os.tmpdir(), `capstan-no-such-${process.pid}`, "kubeconfig");
  const run = capstanRun(["--health-port", "0", "--kubeconfig", missing]);
  assert.equal(await run.exited, 1);
  assert.match(run.log(), new RegExp(`cannot load kubeconfig ${missing.replace(/\./g, "\\.")}`));
});

test("`capstan run` with a kubeconfig that names no usable context exits non-zero naming the file", async () => {
  const file = path.join(scratchDir("capstan-runstart-"), "kubeconfig");
  writeFileSync(file, "apiVersion: v1\nkind: Config\ncurrent-context: gone\n");
  const run = capstanRun(["--health-port", "0", "--kubeconfig", file]);
  assert.equal(await run.exited, 1);
  assert.match(run.log(), /current context "gone" does not exist/);
  assert.ok(run.log().includes(file), `names ${file}:\n${run.log()}`);
});
