/**
 * `npm run demo`: the Printer operator end to end on the local control plane — the
 * Printer, its Pod with the exact message in its arguments, the status, a message change
 * that replaces the Pod, a hand-made Pod it refuses to touch, and the cascade on delete.
 * Where a node can run (Linux, root) the cluster has one: each Pod runs to Succeeded and
 * `kubectl logs` shows the message byte for byte. Elsewhere one line says why not, and the
 * Pods stay Pending. On a terminal, waits are one updating line; piped or logged, the output
 * is plain lines with no control characters.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeClient } from "capstan/client";
import {
  nodeUnavailable,
  progressOn,
  startControlPlane,
  type ControlPlane,
} from "capstan/controlplane";
import { Operator, type Condition } from "capstan";
import { createLogger, installCrds } from "capstan/runtime";
import printer, { podFor, Printer } from "./operator.js";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s: string) => process.stdout.write(`\n${bold("▸ " + s)}\n`);
const show = (s: string) => process.stdout.write(s.trimEnd().replace(/^/gm, "  ") + "\n");

function kubectl(cp: ControlPlane, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      path.join(cp.bin, "kubectl"),
      ["--kubeconfig", cp.kubeconfig, ...args],
      (err, out, errOut) => (err ? reject(new Error(errOut || err.message)) : resolve(out)),
    ),
  );
}

const t0 = Date.now();
const noNode = nodeUnavailable();
say(
  noNode
    ? "Starting the local control plane (etcd, kube-apiserver, kube-controller-manager)"
    : "Starting the local control plane with a node (… kube-scheduler, kubelet, containerd)",
);
if (noNode) show(`no node, so Pods stay Pending: ${noNode}`);
const cp = await startControlPlane({ node: !noNode });
show(
  `Kubernetes ${cp.version} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s — KUBECONFIG=${cp.kubeconfig}`,
);
const abort = new AbortController();
process.once("SIGINT", () => abort.abort());
try {
  const kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  await installCrds(kube, [Printer]);
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } });
  const op = new Operator({
    client: kube,
    namespaces: ["demo"],
    log: createLogger({ pretty: true, level: "error" }),
  });
  await printer.setup(op);
  const running = op.run({ signal: abort.signal });
  await op.synced();
  say("The Printer operator is running; creating samples/my-printer.yaml in namespace demo");
  const ref = {
    apiVersion: Printer.apiVersion,
    kind: Printer.kind,
    namespace: "demo",
    name: "my-printer",
  } as const;
  await kube.create({
    apiVersion: Printer.apiVersion,
    kind: Printer.kind,
    metadata: { name: "my-printer", namespace: "demo" },
    spec: { message: "Hello Kube!" },
  });
  const podName = async () => ((await kube.get(ref)) as { status?: { pod?: string } }).status?.pod;
  await kube.wait(ref, (o) => Boolean((o.status as { pod?: string } | undefined)?.pod), {
    timeoutMs: 60_000,
  });
  show(await kubectl(cp, ["get", "printers", "-n", "demo"]));

  const showPod = async () => {
    const name = (await podName())!;
    const pod = await kube.get({ apiVersion: "v1", kind: "Pod", namespace: "demo", name } as const);
    show(
      `Pod ${name}, owned by ${pod.metadata?.ownerReferences?.[0]?.kind} ${pod.metadata?.ownerReferences?.[0]?.name}`,
    );
    show(
      `command: ${JSON.stringify(pod.spec?.containers[0]?.command)}   (no shell: the message is one argument)`,
    );
    show(`securityContext: ${JSON.stringify(pod.spec?.containers[0]?.securityContext)}`);
    if (noNode) show(`phase: ${pod.status?.phase} (no node)`);
    return name;
  };
  /** With a node: the Printer's status reaches Succeeded, and its Pod's log is the message. */
  const showRun = async (message: string) => {
    if (noNode) return;
    const t = Date.now();
    const name = podFor({
      metadata: { name: ref.name, namespace: ref.namespace },
      spec: { message, image: "busybox:1.36" },
    }).metadata.name;
    await kube.wait(
      ref,
      (o) => {
        const st = o.status as { phase?: string; pod?: string } | undefined;
        if (st?.phase === "Failed") throw new Error(`Pod ${st.pod} failed`);
        return st?.phase === "Succeeded" && st.pod === name;
      },
      { timeoutMs: 60_000 },
    );
    show(`Printer status.phase: Succeeded, ${((Date.now() - t) / 1000).toFixed(1)} s later`);
    const log = await kubectl(cp, ["logs", "-n", "demo", name]);
    show(`$ kubectl logs -n demo ${name}`);
    process.stdout.write(log);
    const exact = log === `${message}\n`;
    show(exact ? "✓ the message, byte for byte" : `✗ expected ${JSON.stringify(message + "\n")}`);
    if (!exact) process.exitCode = 1;
  };
  say("Its Pod");
  const first = await showPod();
  await showRun("Hello Kube!");

  const hostile = `it's "quoted" $(rm -rf /); echo pwned`;
  say(`Changing the message to ${hostile}`);
  await kube.patch(ref, { spec: { message: hostile } });
  await kube.wait(
    ref,
    (o) => {
      const p = (o.status as { pod?: string } | undefined)?.pod;
      return Boolean(p && p !== first);
    },
    { timeoutMs: 60_000 },
  );
  await showPod();
  await showRun(hostile);
  show(await kubectl(cp, ["get", "pods", "-n", "demo"]));

  // Safe by default: a Pod the operator does not control is never written or deleted.
  const squatted = podFor({
    metadata: { name: "second", namespace: "demo" },
    spec: { message: "Hi", image: "busybox:1.36" },
  }).metadata.name;
  say(`A hand-made Pod ${squatted} has the name a second Printer would use`);
  const pod = { apiVersion: "v1", kind: "Pod", namespace: "demo", name: squatted } as const;
  const created = await kube.create({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: squatted, namespace: "demo" },
    spec: {
      // sleep as PID 1 ignores SIGTERM: a short grace period keeps its deletion quick.
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "mine", image: "busybox:1.36", command: ["sleep", "3600"] }],
    },
  });
  // With a node, the scheduler and the kubelet write the Pod until it runs: compare from then.
  const handMade = noNode
    ? created
    : await kube.wait(
        pod,
        (o) => (o.status as { phase?: string } | undefined)?.phase === "Running",
        { timeoutMs: 60_000 },
      );
  const second = { ...ref, name: "second" };
  await kube.create({
    apiVersion: Printer.apiVersion,
    kind: Printer.kind,
    metadata: { name: "second", namespace: "demo" },
    spec: { message: "Hi" },
  });
  const conflict = (o: unknown) =>
    (o as { status?: { conditions?: Condition[] } }).status?.conditions?.find(
      (c) => c.type === "Conflict",
    );
  const c = conflict(await kube.wait(second, (o) => conflict(o)?.status === "True"));
  show(`Printer second: Conflict=True — ${c?.message}`);
  const untouched = await kube.get(pod);
  show(
    `the hand-made Pod: resourceVersion ${untouched.metadata?.resourceVersion === handMade.metadata?.resourceVersion ? "unchanged" : "CHANGED"}, ownerReferences ${JSON.stringify(untouched.metadata?.ownerReferences ?? [])}`,
  );
  say("Deleting the hand-made Pod: the Printer retries and makes its own");
  await kube.delete(pod);
  await kube.wait(
    second,
    (o) =>
      conflict(o)?.status === "False" &&
      (!!noNode || (o.status as { phase?: string } | undefined)?.phase === "Succeeded"),
    { timeoutMs: 60_000 },
  );
  show(await kubectl(cp, ["get", "printers", "-n", "demo"]));

  say("Deleting the Printers: the garbage collector deletes their Pods");
  await kube.delete(ref);
  await kube.delete(second);
  const gc0 = Date.now();
  const progress = progressOn(process.stdout);
  for (;;) {
    const { items } = await kube.list({ apiVersion: "v1", kind: "Pod", namespace: "demo" });
    if (items.length === 0) break;
    if (Date.now() - gc0 > 120_000)
      throw new Error("the Pod was not garbage-collected within 2 minutes");
    progress.status(`  waiting for the collector… ${Math.round((Date.now() - gc0) / 1000)} s`);
    await sleep(1000);
  }
  progress.step(
    `  Pods gone ${Math.round((Date.now() - gc0) / 1000)} s after their Printers (a brand-new CRD reaches the collector on its 30 s discovery resync)`,
  );
  abort.abort();
  await running;
  say("Done");
} finally {
  abort.abort();
  await cp.stop();
}
