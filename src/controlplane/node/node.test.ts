// A real node. Where one can run (Linux, root), in this order — one file holding the node
// lock (testing/nodelock.ts), so that no two nodes run at once and the sysctl checks see
// the host's own values:
//  - a non-root process asking for a node is refused at once, in one line;
//  - a node leaves nothing behind, after a normal stop and after its owner is killed
//    outright: each test first sees a running Pod's process, shim, veth, mounts, cgroups and
//    nftables tables (kube-proxy's, the firewall) — so the check can fail — then finds none
//    of them, the host's nftables ruleset and sysctls as they were;
//  - a Pod runs to completion and its log is exactly what it printed;
//  - a Pod whose image is missing gets an Event naming `capstan image import`.
// Elsewhere preflight.test.ts covers the refusal.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { before, describe, test } from "node:test";
import {
  acquireNodeLock,
  eventually,
  kubectlOk,
  nodeUnavailable,
  useControlPlane,
} from "../../testing/index.js";
import { alive, capstan, readState } from "../cli.testkit.js";
import { busyboxImage } from "../images/busybox.js";
import { writeOciLayout } from "../images/layout.js";
import { startControlPlane } from "../index.js";
import {
  nftRuleset,
  nodeEvidence,
  runSleepingPod,
  stillThere,
  succeeded,
  sysctls,
  type NodeEvidence,
} from "./node.testkit.js";

const MESSAGE = `it's "quoted" $(rm -rf /); echo pwned\n\`tick\` \\ é日😀`;

const none: NodeEvidence = { processes: [], mounts: [], links: [], cgroups: [] };

function assertPresent(seen: NodeEvidence) {
  assert.ok(
    seen.processes.some((p) => p.cmdline.startsWith("sleep\0")),
    "the Pod's container runs",
  );
  assert.ok(
    seen.processes.some((p) => p.cmdline.includes("containerd-shim-runc-v2")),
    "a shim runs",
  );
  assert.ok(seen.links.length >= 2, "the bridge has the Pod's veth");
  assert.ok(seen.mounts.length > 0 && seen.cgroups.length > 0, "mounts and cgroups exist");
  const rules = nftRuleset();
  assert.match(rules, /^table ip kube-proxy \{/m, "kube-proxy wrote its table");
  assert.match(rules, /^table inet capstan-[0-9a-f]{6} \{/m, "the node's firewall exists");
}

const INDEX = new URL("../index.js", import.meta.url);
/** The refusal is tried as user nobody, which must be able to read the package (it cannot
 * when the checkout is under a private home directory such as /root). */
const nobodyCanRead = () =>
  spawnSync("test", ["-r", INDEX.pathname], { uid: 65534, gid: 65534 }).status === 0;

if (nodeUnavailable() === undefined && nobodyCanRead()) {
  test("a process that is not root asking for a node is refused at once, in one line", () => {
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { startControlPlane } = await import(${JSON.stringify(INDEX.href)});
         await startControlPlane({ node: true }).then(
           () => console.log("started"),
           (e) => console.log(e.message),
         );`,
      ],
      { uid: 65534, gid: 65534, cwd: "/", encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(
      r.stdout,
      "control plane start (node): a node cannot run here: it must run as root " +
        "(containers, mounts, cgroups and the pod bridge need it)\n",
    );
  });
}

if (nodeUnavailable() === undefined) {
  // Other test files start nodes too (useControlPlane({ node: true })): not while these run.
  before(() => acquireNodeLock());

  test("a node without kube-controller-manager is refused before anything starts", async () => {
    await assert.rejects(startControlPlane({ node: true, controllerManager: false }), {
      message: /a node needs kube-controller-manager: its node-lifecycle controller/,
    });
  });

  describe("node teardown", () => {
    test("stopping a control plane with a node leaves no process, container, mount, interface, cgroup, nftables rule or changed sysctl", async () => {
      const before = sysctls();
      const rulesBefore = nftRuleset();
      const cp = await startControlPlane({ node: true });
      await runSleepingPod(cp);
      const seen = nodeEvidence(cp.dir);
      assertPresent(seen);
      await cp.stop();
      assert.deepEqual(stillThere(seen), none);
      assert.equal(nftRuleset(), rulesBefore);
      assert.deepEqual(sysctls(), before);
      assert.equal(existsSync(cp.dir), false);
    });

    test("after its owner is killed with SIGKILL, the supervisor leaves nothing of the node behind", async () => {
      const before = sysctls();
      const rulesBefore = nftRuleset();
      const owner = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { startControlPlane } = await import(${JSON.stringify(INDEX.href)});
           const cp = await startControlPlane({ node: true });
           console.log(JSON.stringify({ dir: cp.dir, bin: cp.bin, kubeconfig: cp.kubeconfig }));
           setInterval(() => {}, 1 << 30);`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: owner.stdout! }).once("line", resolve);
        owner.once("exit", (c) =>
          reject(new Error(`the owner exited (${c}) before the node was Ready`)),
        );
      });
      const cp = JSON.parse(line) as { dir: string; bin: string; kubeconfig: string };
      const supervisor = readState(cp.dir).supervisorPid;
      await runSleepingPod(cp);
      const seen = nodeEvidence(cp.dir);
      assertPresent(seen);
      owner.kill("SIGKILL");
      await eventually(
        async () => assert.equal(alive(supervisor), false, `supervisor ${supervisor} still runs`),
        { timeoutMs: 60_000, what: "the supervisor's exit" },
      );
      assert.deepEqual(stillThere(seen), none);
      assert.equal(nftRuleset(), rulesBefore);
      assert.deepEqual(sysctls(), before);
      assert.equal(existsSync(cp.dir), false);
    });

    test("after its owner is killed with SIGKILL while the node starts, the supervisor undoes the start", async () => {
      const before = sysctls();
      const rulesBefore = nftRuleset();
      const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "capstan-node-start-")), "cluster");
      const owner = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { startControlPlane } = await import(${JSON.stringify(INDEX.href)});
           await startControlPlane({ node: true, dir: ${JSON.stringify(dir)} });`,
        ],
        { stdio: "ignore" },
      );
      // The kubelet's log appears once containerd runs and the kubelet is being started.
      await eventually(async () => assert.ok(existsSync(path.join(dir, "logs", "kubelet.log"))), {
        timeoutMs: 60_000,
        what: "the node's start",
      });
      const supervisor = processesNaming(`${dir}"`).find((p) => p.includes("supervisor"));
      assert.ok(supervisor, "the supervisor runs");
      const seen = nodeEvidence(dir);
      assert.ok(seen.links.length > 0 && seen.cgroups.length > 0, "the bridge and cgroups exist");
      assert.notEqual(nftRuleset(), rulesBefore, "the node's firewall exists");
      owner.kill("SIGKILL");
      const pid = Number(supervisor.split(" ")[0]);
      await eventually(
        async () => assert.equal(alive(pid), false, `supervisor ${pid} still runs`),
        {
          timeoutMs: 60_000,
          what: "the supervisor's exit",
        },
      );
      assert.deepEqual(stillThere(seen), none);
      assert.equal(nftRuleset(), rulesBefore);
      assert.deepEqual(sysctls(), before);
      assert.equal(existsSync(path.join(dir, "node")), false);
      rmSync(path.dirname(dir), { recursive: true, force: true });
    });
  });

  describe("capstan cluster up --node", () => {
    test("up and status report the Node Ready, and down after the supervisor was killed leaves nothing of the node", async () => {
      const before = sysctls();
      const rulesBefore = nftRuleset();
      const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "capstan-cli-node-")), "cluster");
      const up = await capstan(["cluster", "up", "--node", "--dir", dir]);
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stdout, /node capstan-node is Ready/);
      const status = await capstan(["cluster", "status", "--dir", dir]);
      assert.match(status.stdout, /^ {2}node capstan-node: Ready$/m);
      const state = readState(dir);
      await runSleepingPod({ bin: state.bin, kubeconfig: state.kubeconfig });
      const seen = nodeEvidence(dir);
      assertPresent(seen);
      process.kill(state.supervisorPid, "SIGKILL");
      await eventually(async () => assert.equal(alive(state.supervisorPid), false), {
        what: "the supervisor's exit",
      });
      const down = await capstan(["cluster", "down", "--dir", dir]);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(stillThere(seen), none);
      assert.equal(nftRuleset(), rulesBefore);
      assert.deepEqual(sysctls(), before);
      assert.equal(existsSync(dir), false);
    });
  });

  describe("a real node", () => {
    test("a busybox Pod printing a hostile message succeeds and its log is the message byte for byte", async () => {
      const cp = await useControlPlane({ node: true });
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "printer", namespace: "default" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "print",
              image: "busybox:1.36",
              imagePullPolicy: "IfNotPresent",
              command: ["printf", "%s\\n", MESSAGE],
            },
          ],
        },
      };
      await kubectlOk(cp, ["create", "-f", "-"], { input: JSON.stringify(pod) });
      await succeeded(cp, "printer");
      const log = await kubectlOk(cp, ["logs", "printer"]);
      assert.equal(Buffer.from(log).toString("hex"), Buffer.from(`${MESSAGE}\n`).toString("hex"));
    });

    test("an image made with writeOciLayout and loaded by `capstan image import` runs as a Pod", async () => {
      const cp = await useControlPlane({ node: true });
      const tar = path.join(mkdtempSync(path.join(os.tmpdir(), "capstan-img-")), "hello.tar");
      const bb = await busyboxImage();
      await writeOciLayout(tar, { ...bb, names: ["example.test/hello:1"] });
      const imported = await capstan(["image", "import", tar, "--cluster-dir", cp.dir]);
      assert.equal(imported.code, 0, imported.stderr);
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "hello", namespace: "default" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "hello",
              image: "example.test/hello:1",
              imagePullPolicy: "Never",
              command: ["printf", "%s\\n", "imported"],
            },
          ],
        },
      };
      await kubectlOk(cp, ["create", "-f", "-"], { input: JSON.stringify(pod) });
      await succeeded(cp, "hello");
      assert.equal(await kubectlOk(cp, ["logs", "hello"]), "imported\n");
    });

    test("a Pod whose image was never imported gets a Warning Event saying how to import it", async () => {
      const cp = await useControlPlane({ node: true });
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "absent", namespace: "default" },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "c", image: "example.test/absent:1", imagePullPolicy: "Never" }],
        },
      };
      await kubectlOk(cp, ["create", "-f", "-"], { input: JSON.stringify(pod) });
      const message = await eventually(
        async () => {
          const out = await kubectlOk(cp, [
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=absent,reason=ImageNotImported,type=Warning",
            "-o",
            "jsonpath={.items[*].message}",
          ]);
          assert.notEqual(out, "", "no ImageNotImported event yet");
          return out;
        },
        { timeoutMs: 60_000, what: "the ImageNotImported Event of Pod default/absent" },
      );
      assert.match(message, /image example\.test\/absent:1 is not on node capstan-node/);
      assert.ok(
        message.includes(`\`capstan image import <image.tar> --cluster-dir ${cp.dir}\``),
        message,
      );
    });
  });
}

/** `<pid> <command line>` of every process whose command line contains `text`. */
function processesNaming(text: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmdline = readFileSync(`/proc/${e}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(text)) out.push(`${e} ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
