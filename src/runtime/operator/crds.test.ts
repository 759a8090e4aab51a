// Installing CRDs by server-side apply and waiting for them, on the real control plane:
// install and upgrade, nothing applied when a definition is invalid, and the read-only wait —
// also for a service account that may not read CRDs at all.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { parse, stringify } from "yaml";
import { ForbiddenError, KubeClient, NotFoundError } from "../../client/index.js";
import { CrdSchemaError, defineResource, z } from "../../core/crd/index.js";
import {
  kubectlOk,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../../testing/index.js";
import { CrdInstallError, installCrds, waitForCrd } from "./crds.js";

let cp: TestControlPlane;
let kube: KubeClient;
let ns: string;
let dispose: () => Promise<void>;
const created: string[] = [];
const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" } as const;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ({ name: ns, dispose } = await testNamespace(kube, "crds"));
});
after(async () => {
  for (const name of created) await kube.delete({ ...CRD, name }).catch(() => undefined);
  await dispose();
});

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
  created.push(r.name);
  return extraVersion ? { r, upgraded: make(true) } : { r, upgraded: r };
}

test("installCrds creates a CRD, waits until it is Established, and upgrades it in place", async () => {
  const { r, upgraded } = gadget(true);
  await installCrds(kube, [r]);
  const obj = {
    apiVersion: r.apiVersion,
    kind: r.kind,
    metadata: { name: "a", namespace: ns },
    spec: { size: 1 },
  };
  await kube.create(obj); // served right away: no retry needed after installCrds returns
  await installCrds(kube, [upgraded]);
  const v2 = await kube.get({
    apiVersion: `${r.group}/v2`,
    kind: r.kind,
    namespace: ns,
    name: "a",
  });
  assert.equal(v2.apiVersion, `${r.group}/v2`);
  const crd = (await kube.get({ ...CRD, name: r.name })) as {
    metadata: { managedFields?: { manager?: string; operation?: string }[] };
  };
  assert.ok(
    crd.metadata.managedFields?.some((f) => f.manager === "capstan" && f.operation === "Apply"),
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
    installCrds(kube, [good, bad]),
    (e) => e instanceof CrdSchemaError && /v1\.spec\.when/.test(e.message),
  );
  await assert.rejects(kube.get({ ...CRD, name: good.name }), NotFoundError);
});

test("waitForCrd waits, read-only, until someone else installs the CRD", async () => {
  const { r } = gadget();
  const waiting = waitForCrd(kube, r, { timeoutMs: 30_000 });
  await new Promise((res) => setTimeout(res, 500));
  await installCrds(kube, [r]);
  await waiting;
});

test("waitForCrd gives up after its timeout with an error naming the CRD", async () => {
  const { r } = gadget();
  await assert.rejects(
    waitForCrd(kube, r, { timeoutMs: 600 }),
    (e) => e instanceof CrdInstallError && e.step === "wait" && e.message.includes(r.name),
  );
});

test("a service account that may not read CRDs waits through API discovery", async () => {
  const { r } = gadget();
  await kube.create({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "reader", namespace: ns },
  });
  const token = (await kubectlOk(cp, ["create", "token", "reader", "-n", ns])).trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-crds-"));
  try {
    const config = parse(await kubectlOk(cp, ["config", "view", "--raw"])) as {
      users: { user: Record<string, unknown> }[];
    };
    for (const u of config.users) u.user = { token };
    writeFileSync(path.join(dir, "kubeconfig"), stringify(config));
    const reader = await KubeClient.fromKubeconfig({ path: path.join(dir, "kubeconfig") });
    await assert.rejects(reader.get({ ...CRD, name: r.name }), ForbiddenError);
    const waiting = waitForCrd(reader, r, { timeoutMs: 30_000 });
    await new Promise((res) => setTimeout(res, 300));
    await installCrds(kube, [r]);
    await waiting;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
