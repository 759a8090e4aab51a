/**
 * `capstan demo`: bring up the local control plane and show it working — namespaces, a
 * CRD (the Nuvolaris `Sample` from the seed documents), a custom object, a ConfigMap it owns
 * being garbage-collected, and a Deployment getting its ReplicaSet. Later issues replace
 * this with a seed operator running end to end.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { startControlPlane, type ControlPlane } from "../controlplane/index.js";

const SAMPLE_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "samples.nuvolaris.org" },
  spec: {
    group: "nuvolaris.org",
    scope: "Namespaced",
    names: { kind: "Sample", plural: "samples", singular: "sample", shortNames: ["sam"] },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", properties: { count: { type: "integer", minimum: 0 } } },
              status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        },
      },
    ],
  },
};

function kubectl(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      path.join(cp.bin, "kubectl"),
      ["--kubeconfig", cp.kubeconfig, ...args],
      (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr.trim()}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

const say = (s: string) => process.stdout.write(`\n\x1b[1m▸ ${s}\x1b[0m\n`);
const show = (s: string) => process.stdout.write(s.trimEnd().replace(/^/gm, "  ") + "\n");

async function run(): Promise<void> {
  const t0 = Date.now();
  say("Starting the local control plane (etcd, kube-apiserver, kube-controller-manager)");
  const cp = await startControlPlane();
  const stop = () => void cp.stop().then(() => process.exit(130));
  process.once("SIGINT", stop);
  try {
    show(
      `Kubernetes ${cp.version} ready at ${cp.server} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    show(`kubeconfig: ${cp.kubeconfig}\n`);

    say("kubectl get namespaces");
    show(await kubectl(cp, ["get", "namespaces"]));
    await kubectl(cp, ["create", "namespace", "demo"]);

    say("A CRD from the seed documents: samples.nuvolaris.org, then a Sample in namespace demo");
    await kubectl(cp, ["apply", "-f", "-"], JSON.stringify(SAMPLE_CRD));
    await kubectl(cp, ["wait", "--for=condition=Established", "crd/samples.nuvolaris.org"]);
    show(await kubectl(cp, ["get", "crd"]));
    const sample = {
      apiVersion: "nuvolaris.org/v1",
      kind: "Sample",
      metadata: { name: "obj", namespace: "demo" },
      spec: { count: 2 },
    };
    await kubectl(cp, ["create", "-f", "-"], JSON.stringify(sample));
    show(
      await kubectl(cp, [
        "get",
        "sam",
        "-n",
        "demo",
        "-o",
        "custom-columns=NAME:.metadata.name,COUNT:.spec.count,UID:.metadata.uid",
      ]),
    );

    say(
      "A ConfigMap owned by the Sample, then the Sample deleted: the garbage collector removes the ConfigMap",
    );
    const uid = (
      await kubectl(cp, ["get", "sam", "obj", "-n", "demo", "-o", "jsonpath={.metadata.uid}"])
    ).trim();
    const child = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "obj-config",
        namespace: "demo",
        ownerReferences: [{ apiVersion: "nuvolaris.org/v1", kind: "Sample", name: "obj", uid }],
      },
      data: { count: "2" },
    };
    await kubectl(cp, ["create", "-f", "-"], JSON.stringify(child));
    show(await kubectl(cp, ["get", "configmap", "obj-config", "-n", "demo"]));
    await kubectl(cp, ["delete", "sam", "obj", "-n", "demo"]);
    const gcStart = Date.now();
    for (;;) {
      const left = await kubectl(cp, [
        "get",
        "configmap",
        "obj-config",
        "-n",
        "demo",
        "--ignore-not-found",
        "-o",
        "name",
      ]);
      if (!left.trim()) break;
      if (Date.now() - gcStart > 90_000)
        throw new Error("the owned ConfigMap was not garbage-collected within 90 s");
      await sleep(1000);
    }
    show(
      `obj-config garbage-collected ${((Date.now() - gcStart) / 1000).toFixed(0)} s after its owner was deleted\n`,
    );
    show("(the collector picks up a brand-new CRD on its 30 s discovery resync)\n");

    say(
      "A Deployment: the controller-manager gives it a ReplicaSet (Pods stay Pending: there are no nodes)",
    );
    await kubectl(cp, [
      "create",
      "deployment",
      "web",
      "-n",
      "demo",
      "--image=nginx",
      "--replicas=2",
    ]);
    for (let i = 0; i < 100; i++) {
      if ((await kubectl(cp, ["get", "rs", "-n", "demo", "-o", "name"])).trim()) break;
      await sleep(200);
    }
    show(await kubectl(cp, ["get", "deployment,replicaset", "-n", "demo"]));
    say("Done: stopping the control plane");
  } finally {
    await cp.stop();
  }
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("start the local control plane and show it working")
    .action(run);
}
