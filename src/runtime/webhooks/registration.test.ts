// Registering the local loop's webhook configurations on the real control plane: a
// configuration of the same name that is not this operator's is never changed nor deleted.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { pino } from "pino";
import { NotFoundError } from "../../client/errors.js";
import { useOperatorFixture } from "../../testing/index.js";
import { Admission } from "./admission.js";
import { MANAGED_BY, OWNER } from "./configuration.js";
import { WebhookServer } from "./server.js";

const VWC = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
} as const;

const f = useOperatorFixture({ spaces: ["main"], prefix: "whreg" });

/** A configuration someone else made: it matches no namespace, so it blocks nothing. */
async function foreign(name: string, metadata: Record<string, unknown> = {}) {
  return f.kube.create({
    ...VWC,
    metadata: { name, ...metadata },
    webhooks: [
      {
        name: "foreign.whreg.capstan.test",
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        failurePolicy: "Ignore",
        clientConfig: { url: "https://127.0.0.1:1/foreign" },
        rules: [
          {
            apiGroups: ["whreg.capstan.test"],
            apiVersions: ["v1"],
            resources: ["nothings"],
            operations: ["CREATE"],
          },
        ],
        namespaceSelector: { matchLabels: { "whreg.capstan.test/never": "true" } },
      },
    ],
  });
}

async function serve(name: string, lines: string[] = []) {
  const cm = new Admission<unknown>({ apiVersion: "v1", kind: "ConfigMap" }).validate({
    create: () => undefined,
  });
  const log = pino({ level: "debug" }, { write: (l: string) => void lines.push(l) });
  return WebhookServer.start([cm], f.kube, log, {
    register: { name, owner: "whreg", exclude: [], only: [f.ns.main] },
  });
}

const unique = (what: string) => `whreg-${what}-${randomBytes(3).toString("hex")}`;

test("a configuration of the same name without capstan's label is refused, named, and logged", async () => {
  const name = unique("unlabelled");
  await foreign(name);
  const lines: string[] = [];
  try {
    await assert.rejects(serve(name, lines), {
      message: new RegExp(
        `ValidatingWebhookConfiguration ${name} exists and is not managed by capstan operator whreg; refusing to change it`,
      ),
    });
    assert.ok(lines.some((l) => l.includes(`ValidatingWebhookConfiguration ${name} exists`)));
  } finally {
    await f.kube.delete({ ...VWC, name });
  }
});

test("a refused configuration is left unchanged and is not deleted when the server stops", async () => {
  const name = unique("kept");
  const before = await foreign(name);
  try {
    await serve(name).then(
      (ws) => ws.close(),
      () => undefined,
    );
    const now = await f.kube.get({ ...VWC, name });
    assert.equal(now.metadata?.resourceVersion, before.metadata?.resourceVersion);
  } finally {
    await f.kube.delete({ ...VWC, name });
  }
});

test("a configuration another capstan operator registered under the same name is refused", async () => {
  const name = unique("other");
  await foreign(name, { labels: { ...MANAGED_BY }, annotations: { [OWNER]: "someone-else" } });
  try {
    await assert.rejects(serve(name), /not managed by capstan operator whreg/);
  } finally {
    await f.kube.delete({ ...VWC, name });
  }
});

test("the operator's own configuration left behind is taken over on start and removed on close", async () => {
  const name = unique("stale");
  await foreign(name, { labels: { ...MANAGED_BY }, annotations: { [OWNER]: "whreg" } });
  const ws = await serve(name);
  const port = ws.port;
  const taken = await f.kube.get({ ...VWC, name });
  await ws.close();
  assert.match(JSON.stringify(taken.webhooks), new RegExp(`https://127.0.0.1:${port}/`));
  await assert.rejects(f.kube.get({ ...VWC, name }), NotFoundError);
});

test("close leaves alone a configuration that replaced the registered one", async () => {
  const name = unique("replaced");
  const ws = await serve(name);
  try {
    await f.kube.delete({ ...VWC, name });
    const replacement = await foreign(name);
    await ws.close();
    const now = await f.kube.get({ ...VWC, name });
    assert.equal(now.metadata?.uid, replacement.metadata?.uid);
  } finally {
    await ws.close();
    await f.kube.delete({ ...VWC, name }).catch(() => undefined);
  }
});

test("the operator's own configuration of a kind it no longer serves is removed on start", async () => {
  const name = unique("gone");
  const MWC = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
  } as const;
  await f.kube.create({
    ...MWC,
    metadata: { name, labels: { ...MANAGED_BY }, annotations: { [OWNER]: "whreg" } },
    webhooks: [],
  });
  const ws = await serve(name); // validates only: no mutating configuration of its own
  try {
    await assert.rejects(f.kube.get({ ...MWC, name }), NotFoundError);
  } finally {
    await ws.close();
    await f.kube.delete({ ...MWC, name }).catch(() => undefined);
  }
});

test("a foreign configuration of a kind the operator does not serve is left alone", async () => {
  const name = unique("unserved");
  const MWC = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
  } as const;
  const theirs = await f.kube.create({ ...MWC, metadata: { name }, webhooks: [] });
  const ws = await serve(name);
  try {
    await ws.close();
    const now = await f.kube.get({ ...MWC, name });
    assert.equal(now.metadata?.resourceVersion, theirs.metadata?.resourceVersion);
  } finally {
    await f.kube.delete({ ...MWC, name }).catch(() => undefined);
  }
});

test("an operator without admission handlers removes the configurations an earlier run left", async () => {
  const name = unique("nohandlers");
  await foreign(name, { labels: { ...MANAGED_BY }, annotations: { [OWNER]: "whreg" } });
  await WebhookServer.removeStale(f.kube, pino({ level: "silent" }), {
    name,
    owner: "whreg",
    exclude: [],
  });
  await assert.rejects(f.kube.get({ ...VWC, name }), NotFoundError);
});
