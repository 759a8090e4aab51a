// The Printer operator against hostile input on the local control plane: names that collide
// once cut, names too long for a label, a foreign Pod under the name it would use, messages
// the container could not receive, and the longest multibyte message through every path.
// One operator for the file; each test has a namespace of its own.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.js";
import { InvalidError, NotFoundError } from "capstan/client";
import { isDns1123Subdomain } from "capstan";
import { type ApiObject } from "capstan";
import { eventsFor, eventually, useOperatorFixture } from "capstan/testing";
import printer, { podFor, Printer } from "./operator.js";

type PrinterObject = ApiObject & {
  spec: { message: string; image: string };
  status?: {
    pod?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
};
const POD = { apiVersion: "v1", kind: "Pod" } as const;
const SPACES = [
  "cut",
  "gone",
  "requeue",
  "long",
  "dot",
  "label",
  "foreign",
  "craft",
  "twin1",
  "twin2",
  "bytes",
  "refuse",
] as const;
const f = useOperatorFixture({
  operator: printer,
  crds: [Printer],
  spaces: [...SPACES, "restart"],
  unwatched: ["restart"],
  prefix: "prn",
});

const ref = (namespace: string, name: string) => ({
  apiVersion: Printer.apiVersion,
  kind: Printer.kind,
  namespace,
  name,
});
const create = async (namespace: string, name: string, message: string, image?: string) =>
  (await f.kube.create({
    apiVersion: Printer.apiVersion,
    kind: Printer.kind,
    metadata: { name, namespace },
    spec: { message, ...(image ? { image } : {}) },
  })) as PrinterObject;
const get = async (namespace: string, name: string) =>
  (await f.kube.get(ref(namespace, name))) as PrinterObject;
const getPod = (namespace: string, name: string) => f.kube.get({ ...POD, namespace, name });
const controllerUid = (p: Pod) => p.metadata?.ownerReferences?.find((r) => r.controller)?.uid;

/** The Pod the Printer's status names, once it exists and is controlled by that Printer. */
async function ownPod(namespace: string, name: string): Promise<Pod> {
  return eventually(
    async () => {
      const p = await get(namespace, name);
      assert.ok(p.status?.pod, `status.pod of ${name}: ${JSON.stringify(p.status)}`);
      const pod = await getPod(namespace, p.status.pod);
      assert.equal(controllerUid(pod), p.metadata.uid, `${p.status.pod} is controlled by ${name}`);
      return pod;
    },
    { what: `Printer ${namespace}/${name} to have a Pod of its own` },
  );
}

const MAX = 1024;
// 1024 characters as the API counts them (code points): CJK, é and emoji (two UTF-16 units).
const MULTIBYTE = [..."漢é🚀".repeat(Math.ceil(MAX / 3))].slice(0, MAX).join("");

test("two Printers whose names share their first 40 characters each get a Pod of their own", async () => {
  const stem = "p".repeat(40);
  const [a, b] = [
    await create(f.ns.cut, `${stem}-a`, "same"),
    await create(f.ns.cut, `${stem}-b`, "same"),
  ];
  const [podA, podB] = [await ownPod(f.ns.cut, `${stem}-a`), await ownPod(f.ns.cut, `${stem}-b`)];
  assert.notEqual(podA.metadata?.name, podB.metadata?.name);
  assert.deepEqual([controllerUid(podA), controllerUid(podB)], [a.metadata.uid, b.metadata.uid]);
});

test("deleting one of two Printers that share a 40-character prefix leaves the other's Pod", async () => {
  const stem = "q".repeat(40);
  await create(f.ns.gone, `${stem}-a`, "same");
  await create(f.ns.gone, `${stem}-b`, "same");
  const podA = await ownPod(f.ns.gone, `${stem}-a`);
  const podB = await ownPod(f.ns.gone, `${stem}-b`);
  await f.kube.delete(ref(f.ns.gone, `${stem}-a`));
  // The collector learns a new CRD's kind on its 30 s discovery resync.
  await eventually(() => assert.rejects(getPod(f.ns.gone, podA.metadata!.name!), NotFoundError), {
    timeoutMs: 90_000,
    intervalMs: 1000,
    what: "the deleted Printer's Pod to be collected",
  });
  const still = await ownPod(f.ns.gone, `${stem}-b`);
  assert.equal(still.metadata?.uid, podB.metadata?.uid, "the other Printer's Pod is untouched");
});

test("a Printer whose Pod is deleted by someone gets it back and its status names it", async () => {
  await create(f.ns.requeue, "victim", "again");
  const first = await ownPod(f.ns.requeue, "victim");
  await f.kube.delete({ ...POD, namespace: f.ns.requeue, name: first.metadata!.name! });
  const second = await eventually(async () => {
    const pod = await ownPod(f.ns.requeue, "victim");
    assert.notEqual(pod.metadata?.uid, first.metadata?.uid, "a new Pod");
    return pod;
  });
  assert.equal(second.metadata?.name, first.metadata?.name, "under the same name");
});

test("a Printer with a 253-character name gets a valid Pod", async () => {
  const name = `${"l".repeat(200)}.${"m".repeat(52)}`;
  await create(f.ns.long, name, "long");
  const pod = await ownPod(f.ns.long, name);
  assert.ok(isDns1123Subdomain(pod.metadata!.name!), pod.metadata?.name);
});

test("a Printer whose name is cut at a dot gets a valid Pod", async () => {
  const name = `${"d".repeat(39)}.e`;
  await create(f.ns.dot, name, "dot");
  const pod = await ownPod(f.ns.dot, name);
  assert.ok(isDns1123Subdomain(pod.metadata!.name!), pod.metadata?.name);
});

test("a Printer whose name is too long for a label value gets a Pod labelled validly", async () => {
  const name = "v".repeat(64);
  await create(f.ns.label, name, "label");
  const pod = await ownPod(f.ns.label, name);
  const value = pod.metadata?.labels?.["examples.capstan.dev/printer"] ?? "";
  assert.ok(value.length > 0 && value.length <= 63, value);
});

/** A Pod nobody controls, under the name the Printer `printer` with `message` would use. */
async function foreignPod(printer: string, message: string) {
  const name = podFor({
    metadata: { name: printer, namespace: f.ns.foreign },
    spec: { message, image: "busybox:1.36" },
  }).metadata.name;
  const pod = await f.kube.create({
    ...POD,
    metadata: { name, namespace: f.ns.foreign, labels: { keep: "me" } },
    spec: { containers: [{ name: "c", image: "busybox:1.36" }] },
  });
  return { name, pod };
}

test("a foreign Pod with the name the Printer would use is untouched; the Printer says Conflict", async () => {
  const message = "mine?";
  const { name, pod: foreign } = await foreignPod("taker", message);
  const p = await create(f.ns.foreign, "taker", message);
  const conflict = await eventually(async () => {
    const now = await get(f.ns.foreign, "taker");
    const c = now.status?.conditions?.find((x) => x.type === "Conflict");
    assert.equal(c?.status, "True", JSON.stringify(now.status));
    return { c, now };
  });
  assert.match(
    conflict.c!.message,
    new RegExp(`Pod ${f.ns.foreign}/${name} .*Printer ${f.ns.foreign}/taker`),
  );
  assert.notEqual(conflict.now.status?.pod, name, "the status does not claim the foreign Pod");
  const ev = await eventually(async () => {
    const e = (await eventsFor(f.kube, p)).find((x) => x.reason === "Conflict");
    assert.ok(e);
    return e;
  });
  assert.equal(ev.type, "Warning");
  const after = await getPod(f.ns.foreign, name);
  assert.equal(after.metadata?.resourceVersion, foreign.metadata?.resourceVersion);
  assert.equal(after.metadata?.ownerReferences, undefined);
});

test("once the foreign Pod is gone, the Printer makes its own and Conflict turns False", async () => {
  const message = "patient";
  const { name } = await foreignPod("waiter", message);
  await create(f.ns.foreign, "waiter", message);
  const conflict = () =>
    get(f.ns.foreign, "waiter").then((p) =>
      p.status?.conditions?.find((x) => x.type === "Conflict"),
    );
  await eventually(async () => assert.equal((await conflict())?.status, "True"));
  await f.kube.delete({ ...POD, namespace: f.ns.foreign, name });
  const pod = await ownPod(f.ns.foreign, "waiter");
  assert.equal(pod.metadata?.name, name);
  await eventually(async () => assert.equal((await conflict())?.status, "False"));
});

test("a Printer named like another's shortened Pod name is refused that Pod; the other's is untouched", async () => {
  const long = "c".repeat(253);
  const victim = await create(f.ns.craft, long, "same");
  const theirs = await ownPod(f.ns.craft, long);
  // The shortened form is `<cut>-<hash of the whole name>-<hash of the content>`: a Printer
  // named `<cut>-<hash>` would reach the same Pod name with the same content.
  const crafted = theirs.metadata!.name!.replace(/-[0-9a-f]{10}$/, "");
  const thief = await create(f.ns.craft, crafted, "same");
  await eventually(async () => {
    const c = (await get(f.ns.craft, crafted)).status?.conditions?.find(
      (x) => x.type === "Conflict",
    );
    assert.equal(c?.status, "True");
  });
  const after = await getPod(f.ns.craft, theirs.metadata!.name!);
  assert.equal(after.metadata?.resourceVersion, theirs.metadata?.resourceVersion);
  assert.equal(controllerUid(after), victim.metadata.uid);
  assert.notEqual(controllerUid(after), thief.metadata.uid);
});

test("Printers with the same name in two namespaces each get a Pod of their own", async () => {
  const [a, b] = [
    await create(f.ns.twin1, "twin", "same"),
    await create(f.ns.twin2, "twin", "same"),
  ];
  assert.equal(controllerUid(await ownPod(f.ns.twin1, "twin")), a.metadata.uid);
  assert.equal(controllerUid(await ownPod(f.ns.twin2, "twin")), b.metadata.uid);
});

test("a 1024-character message of CJK, é and emoji reaches the Pod's argument exactly", async () => {
  assert.equal([...MULTIBYTE].length, MAX);
  await create(f.ns.bytes, "wide", MULTIBYTE);
  const pod = await ownPod(f.ns.bytes, "wide");
  const arg = pod.spec!.containers[0]!.command![2]!;
  assert.ok(!arg.includes("\uFFFD"), "no replacement characters");
  assert.equal(arg, MULTIBYTE);
});

test("a message with a NUL character is refused by the API server, naming spec.message", async () => {
  // A NUL cannot cross execve: the container would print the message cut at it.
  await assert.rejects(
    create(f.ns.refuse, "nul", "before\u0000after"),
    (e: unknown) => e instanceof InvalidError && e.causes.some((c) => c.field === "spec.message"),
  );
});

test("an image with surrounding whitespace is refused by the API server, naming spec.image", async () => {
  // The Pod's validation refuses it; the Printer's schema says so up front instead of a
  // reconcile that could only fail.
  await assert.rejects(
    create(f.ns.refuse, "spaced", "hi", "busybox:1.36 "),
    (e: unknown) => e instanceof InvalidError && e.causes.some((c) => c.field === "spec.image"),
  );
});

test("restarting the operator over a converged 1024-character multibyte Printer writes nothing", async () => {
  const namespaces = [f.ns.restart];
  let run = await f.run(printer, { namespaces });
  await create(f.ns.restart, "steady", MULTIBYTE);
  const pod = await ownPod(f.ns.restart, "steady");
  assert.equal(pod.spec!.containers[0]!.command![2], MULTIBYTE);
  await run.idle(); // converged first: a stop mid-reconcile leaves work for the next start
  await run.stop();
  run = await f.run(printer, { namespaces });
  // The signal: the restarted controller reconciled the listed Printer and is idle.
  await run.idle();
  assert.equal(run.writes(), 0, "nothing written on restart");
  const again = await getPod(f.ns.restart, pod.metadata!.name!);
  assert.equal(again.metadata?.uid, pod.metadata?.uid, "the same Pod");
});
