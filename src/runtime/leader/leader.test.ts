// Leader election between real operator processes (`capstan run --leader-elect`) on the local
// control plane: exactly one replica reconciles; a clean stop hands over at once (the lease
// is released, and a standby watching the Lease takes it without waiting for its retry); a
// killed leader is replaced once its lease expires; a leader paused past its lease wakes up
// and writes nothing. Each replica marks what it handled with its identity.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KubeClient } from "../../client/client.js";
import {
  eventually,
  operatorFixture,
  testNamespace,
  type TestControlPlane,
} from "../../testing/index.js";
import type { ApiObject } from "../index.js";
import { LeaderElector } from "./lease.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const group = "leader.capstan.test";
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
type W = ApiObject & { spec: { size?: number; note?: string }; status?: { handledBy?: string } };

let cp: TestControlPlane;
let kube: KubeClient;
let fixture: string;
const replicas: Replica[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  ({ cp, kube } = await operatorFixture({ widgets: group }));
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-leader-"));
  fixture = path.join(dir, "operator.mjs");
  const runtime = pathToFileURL(path.join(here, "..", "index.js")).href;
  // Marks each Widget with the replica that handled it; a Widget noted "slow" takes 4 s,
  // ignoring cancellation, so a pause can catch it mid-reconcile.
  writeFileSync(
    fixture,
    `import { defineOperator, done } from ${JSON.stringify(runtime)};
export default defineOperator((op) => op.controller({
  name: "marker",
  for: ${JSON.stringify(Widget)},
  async reconcile(w, ctx) {
    ctx.log.info("reconcile started");
    if (w.spec.note === "slow") await new Promise((r) => setTimeout(r, 4000));
    await ctx.patchStatus({ handledBy: process.env.POD_NAME });
    return done();
  },
}));
`,
  );
});
after(async () => {
  for (const r of replicas) r.kill("SIGKILL");
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

interface Replica {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
  /** Resolves with the health port once the replica serves it. */
  port: Promise<number>;
  kill(sig: NodeJS.Signals): void;
}

function startReplica(name: string, ns: string, lease: string[]): Replica {
  const child = spawn(
    process.execPath,
    [
      path.join(here, "..", "..", "cli", "main.js"),
      "run",
      fixture,
      "-n",
      ns,
      "--leader-elect",
      "--leader-election-namespace",
      ns,
      "--health-port",
      "0",
      ...lease,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, KUBECONFIG: cp.kubeconfig, POD_NAME: name, CAPSTAN_LOG_LEVEL: "info" },
    },
  );
  let gotPort!: (port: number) => void;
  const r: Replica = {
    name,
    child,
    log: "",
    exited: new Promise((res) => child.once("exit", (code) => res(code))),
    port: new Promise((res, rej) => {
      gotPort = res;
      child.once("exit", (code) =>
        rej(new Error(`${name} exited (${code}) before serving:\n${r.log}`)),
      );
    }),
    kill: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
  };
  r.port.catch(() => undefined); // observed by whoever awaits it
  // Append first, then look: the line may be the last the replica prints for a while.
  child.stdout!.setEncoding("utf8"); // decodes across chunks: a character may be split
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (c: string) => {
    r.log += c;
    const m = /"port":(\d+),"msg":"serving \/healthz/.exec(r.log);
    if (m) gotPort(Number(m[1]));
  });
  child.stderr!.on("data", (c: string) => (r.log += c));
  replicas.push(r);
  return r;
}

const leads = (r: Replica) => r.log.includes('"msg":"became the leader"');

async function metric(r: Replica, name: string): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${await r.port}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith(name))
    .join("\n");
}

async function handledBy(ns: string, name: string): Promise<string | undefined> {
  const w = (await kube.get({ ...Widget, namespace: ns, name })) as unknown as W;
  return w.status?.handledBy;
}

async function widget(ns: string, name: string, note = ""): Promise<void> {
  await kube.create({ ...Widget, metadata: { name, namespace: ns }, spec: { size: 1, note } });
}

test(
  "two replicas: exactly one reconciles, and a clean stop hands over without waiting for the lease to expire",
  { timeout: 120_000 },
  async (t) => {
    const { name: ns, dispose } = await testNamespace(kube, "le");
    cleanups.push(dispose);
    // A long lease: a handover within it proves the lease was released, not expired.
    const lease = ["--lease-duration", "20s", "--renew-deadline", "15s", "--retry-period", "500ms"];
    const a = startReplica("a", ns, lease);
    await eventually(async () => assert.ok(leads(a), `a leads:\n${a.log}`));
    const b = startReplica("b", ns, lease);
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${await b.port}/readyz`);
      assert.equal(res.status, 200, "the standby is ready: its caches synced");
    });
    for (let i = 0; i < 5; i++) await widget(ns, `w${i}`);
    for (let i = 0; i < 5; i++)
      await eventually(async () => assert.equal(await handledBy(ns, `w${i}`), "a"));
    assert.ok(!leads(b), "b never led");
    assert.doesNotMatch(b.log, /reconcile started/, "the standby reconciled nothing");
    assert.match(await metric(b, "leader_election_master_status"), / 0$/m);

    const stopped = Date.now();
    a.kill("SIGTERM");
    assert.equal(await a.exited, 0, `a stops cleanly:\n${a.log}`);
    await eventually(async () => assert.ok(leads(b), "b leads after a's clean stop"), {
      timeoutMs: 15_000,
    });
    const handover = Date.now() - stopped;
    t.diagnostic(`clean handover: ${handover} ms from SIGTERM to the standby leading`);
    assert.ok(
      handover < 15_000,
      `handed over in ${handover} ms, before the 20 s lease could expire`,
    );
    await widget(ns, "after");
    await eventually(async () => assert.equal(await handledBy(ns, "after"), "b"));
    assert.match(await metric(b, "leader_election_master_status"), / 1$/m);
    assert.match(
      await metric(b, "capstan_informer_lists_total"),
      / 1$/m,
      "the new leader reconciles from its warm cache: still one list",
    );
    b.kill("SIGTERM");
    await b.exited;
  },
);

/** Replica a leading and b standing by, on a short (3 s) lease, in a namespace of their own. */
async function leaderAndStandby(prefix: string): Promise<{ ns: string; a: Replica; b: Replica }> {
  const { name: ns, dispose } = await testNamespace(kube, prefix);
  cleanups.push(dispose);
  const lease = ["--lease-duration", "3s", "--renew-deadline", "2s", "--retry-period", "300ms"];
  const a = startReplica("a", ns, lease);
  await eventually(async () => assert.ok(leads(a), `a leads:\n${a.log}`));
  const b = startReplica("b", ns, lease);
  await b.port;
  return { ns, a, b };
}

test("a killed leader is replaced once its lease expires", { timeout: 120_000 }, async () => {
  const { ns, a, b } = await leaderAndStandby("lk");
  a.kill("SIGKILL");
  await a.exited;
  await eventually(async () => assert.ok(leads(b), `b leads after a was killed:\n${b.log}`));
  await widget(ns, "w");
  await eventually(async () => assert.equal(await handledBy(ns, "w"), "b"));
  b.kill("SIGTERM");
  await b.exited;
});

test(
  "a leader paused past its lease wakes up, writes nothing, and exits",
  { timeout: 120_000 },
  async () => {
    const { ns, a, b } = await leaderAndStandby("lp");
    await widget(ns, "slow", "slow");
    await eventually(async () => assert.match(a.log, /reconcile started/));
    a.kill("SIGSTOP"); // mid-reconcile: its status write is still to come
    await eventually(async () => assert.ok(leads(b), "b takes over the expired lease"));
    await eventually(async () => assert.equal(await handledBy(ns, "slow"), "b"));
    a.kill("SIGCONT");
    const code = await a.exited;
    assert.notEqual(code, 0, "a exits with an error once it sees it lost the lease");
    assert.match(a.log, /lost the leader lease/);
    assert.match(a.log, /NotLeaderError|is not the leader/, `a's write was refused:\n${a.log}`);
    assert.equal(await handledBy(ns, "slow"), "b", "a's late write never reached the server");
    b.kill("SIGTERM");
    await b.exited;
  },
);

test(
  "a standby takes a released lease at once, though its next retry is a minute away: it watches the Lease",
  { timeout: 120_000 },
  async (t) => {
    const { name: ns, dispose } = await testNamespace(kube, "lw");
    cleanups.push(dispose);
    const lease = (identity: string, client: KubeClient, onStarted?: () => void) =>
      new LeaderElector(client, {
        namespace: ns,
        name: "watched",
        identity,
        ...{ leaseDurationMs: 180_000, renewDeadlineMs: 120_000, retryPeriodMs: 60_000 },
        onStarted,
      });
    const stopA = new AbortController();
    const a = lease("a", await KubeClient.fromKubeconfig({ path: cp.kubeconfig }));
    const campaignA = a.run(stopA.signal);
    await eventually(async () => assert.ok(a.isLeader(), "a leads"));

    const bClient = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
    let reads = 0;
    bClient.intercept({
      after: (req, res) => void (req.verb === "get" && res.code === 200 && reads++),
    });
    let ledAt: number | undefined;
    const b = lease("b", bClient, () => (ledAt = performance.now()));
    const stopB = new AbortController();
    const campaignB = b.run(stopB.signal);
    cleanups.push(async () => {
      stopB.abort();
      await campaignB;
    });
    // b has read the Lease a holds: its next retry is 60 s away.
    await eventually(async () => assert.equal(reads, 1, "b read the Lease once"));
    assert.equal(b.isLeader(), false);

    const released = performance.now();
    stopA.abort();
    await campaignA;
    await eventually(async () => assert.ok(ledAt !== undefined, "b leads"), { timeoutMs: 30_000 });
    t.diagnostic(`released → b leads: ${Math.round(ledAt! - released)} ms (retry period 60 s)`);
    assert.equal(reads, 2, "b took it on the read the release triggered, not on a retry");
    assert.ok(b.isLeader());
  },
);
