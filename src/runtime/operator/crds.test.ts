// Installing CRDs by server-side apply and waiting for them, on the real control plane:
// install and upgrade, nothing applied when a definition is invalid, and the read-only wait —
// also for a service account that may not read CRDs at all.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { parse, stringify } from "yaml";
import { ForbiddenError, KubeClient, NotFoundError } from "../../client/index.js";
import { CrdSchemaError, defineResource, z } from "../../core/crd/index.js";
import { eventually, kubectlOk, useOperatorFixture } from "../../testing/index.js";
import { CrdInstallError, installCrds, waitForCrd } from "./crds.js";

const f = useOperatorFixture({ spaces: ["crds"] });
const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" } as const;

/**
 * A client of its own that counts its answered GETs about `group`: a wait started on it has
 * begun (and was told "not yet") once `askedAgain()` resolves — the signal, not a sleep.
 */
async function counting(kubeconfig: string, group: string) {
  const client = await KubeClient.fromKubeconfig({ path: kubeconfig });
  let n = 0;
  client.intercept({
    after: (req) => void (req.method === "GET" && req.path.includes(group) && n++),
  });
  const askedAgain = (from = n) =>
    eventually(async () => assert.ok(n > from, `no GET about ${group} yet`));
  return { client, askedAgain };
}
const groupOf = (r: { name: string }) => r.name.slice(r.name.indexOf(".") + 1);

function gadget(extraVersion = false) {
  const group = `g${randomBytes(3).toString("hex")}.capstan.test`;
  const make = (withBeta: boolean) =>
    defineResource({
      group,
      kind: "Gadget",
      versions: {
        v1: { storage: true, spec: z.object({ size: z.int() }) },
        ...(withBeta
          ? {
              v2: {
                storage: false,
                spec: z.object({ size: z.int(), color: z.string().optional() }),
              },
            }
          : {}),
      },
    });
  const r = make(false);
  f.defer(() => f.kube.delete({ ...CRD, name: r.name }).catch(() => undefined));
  return extraVersion ? { r, upgraded: make(true) } : { r, upgraded: r };
}

test("installCrds creates a CRD, waits until it is Established, and upgrades it in place", async () => {
  const { r, upgraded } = gadget(true);
  await installCrds(f.kube, [r]);
  const obj = {
    apiVersion: r.apiVersion,
    kind: r.kind,
    metadata: { name: "a", namespace: f.ns.crds },
    spec: { size: 1 },
  };
  await f.kube.create(obj); // served right away: no retry needed after installCrds returns
  await installCrds(f.kube, [upgraded]);
  const v2 = await f.kube.get({
    apiVersion: `${r.group}/v2`,
    kind: r.kind,
    namespace: f.ns.crds,
    name: "a",
  });
  assert.equal(v2.apiVersion, `${r.group}/v2`);
  const crd = (await f.kube.get({ ...CRD, name: r.name })) as {
    metadata: { managedFields?: { manager?: string; operation?: string }[] };
  };
  assert.ok(
    crd.metadata.managedFields?.some((m) => m.manager === "capstan" && m.operation === "Apply"),
  );
});

test("an invalid definition fails with CrdSchemaError before any CRD is applied", async () => {
  const { r: good } = gadget();
  const bad = defineResource({
    group: "bad.capstan.test",
    kind: "Bad",
    version: "v1",
    spec: z.object({ when: z.date() }),
  });
  await assert.rejects(
    installCrds(f.kube, [good, bad]),
    (e) => e instanceof CrdSchemaError && /v1\.spec\.when/.test(e.message),
  );
  await assert.rejects(f.kube.get({ ...CRD, name: good.name }), NotFoundError);
});

test("waitForCrd waits, read-only, until someone else installs the CRD", async () => {
  const { r } = gadget();
  const waiter = await counting(f.cp.kubeconfig, groupOf(r));
  const asked = waiter.askedAgain();
  const waiting = waitForCrd(waiter.client, r, { timeoutMs: 30_000 });
  await asked;
  await installCrds(f.kube, [r]);
  await waiting;
});

test("waitForCrd gives up after its timeout with an error naming the CRD", async () => {
  const { r } = gadget();
  await assert.rejects(
    waitForCrd(f.kube, r, { timeoutMs: 600 }),
    (e) => e instanceof CrdInstallError && e.step === "wait" && e.message.includes(r.name),
  );
});

test("a service account that may not read CRDs waits through API discovery", async () => {
  const { r } = gadget();
  await f.kube.create({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "reader", namespace: f.ns.crds },
  });
  const token = (await kubectlOk(f.cp, ["create", "token", "reader", "-n", f.ns.crds])).trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-crds-"));
  try {
    const config = parse(await kubectlOk(f.cp, ["config", "view", "--raw"])) as {
      users: { user: Record<string, unknown> }[];
    };
    for (const u of config.users) u.user = { token };
    writeFileSync(path.join(dir, "kubeconfig"), stringify(config));
    const reader = await counting(path.join(dir, "kubeconfig"), groupOf(r));
    await assert.rejects(reader.client.get({ ...CRD, name: r.name }), ForbiddenError);
    const asked = reader.askedAgain();
    const waiting = waitForCrd(reader.client, r, { timeoutMs: 30_000 });
    await asked;
    await installCrds(f.kube, [r]);
    await waiting;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
