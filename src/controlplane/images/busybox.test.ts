// The busybox and sandbox images made from Debian's busybox-static: what their layer holds,
// that the binary in it runs once unpacked, and that the sandbox's PID 1 stops on SIGTERM.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, readlinkSync, statSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { eventually } from "../../testing/eventually.js";
import { alive } from "../cli.testkit.js";
import {
  BUSYBOX_ALIAS,
  busyboxImage,
  hostBusybox,
  pauseImage,
  type HostBusybox,
} from "./busybox.js";
import { readLayout, tarHeaders, untar } from "./images.testkit.js";
import { ociLayout, type ImageSpec } from "./layout.js";

let bb: HostBusybox;
let busybox: ImageSpec;
let pause: ImageSpec;
let layout: ReturnType<typeof readLayout>;
let layer: Buffer;
let root: string; // the layer unpacked by the system tar

before(async () => {
  bb = await hostBusybox();
  [busybox, pause] = await Promise.all([busyboxImage(bb), pauseImage(bb)]);
  layout = readLayout(untar(await ociLayout([busybox, pause])));
  const manifests = layout.index.manifests.map((d) => layout.manifest(d));
  layer = layout.blob(manifests[0]!.layers[0]!);
  root = untar(layer);
});

/** The config of the image imported as `name`. */
function configOf(name: string) {
  const d = layout.index.manifests.find(
    (m) => m.annotations?.["io.containerd.image.name"] === name,
  );
  assert.ok(d, `no image named ${name}`);
  return layout.config(layout.manifest(d)).config;
}

describe("busybox image", () => {
  test("is named by Debian's busybox version and as the examples' busybox:1.36", () => {
    const version = /^BusyBox v([\d.]+) \(Debian /.exec(
      execFileSync(bb.path, [], { encoding: "utf8" }),
    )?.[1];
    assert.deepEqual(busybox.names, [`capstan.local/busybox:${version}-debian`, BUSYBOX_ALIAS]);
  });

  test("holds /bin/busybox and a relative symlink to it for every applet", async () => {
    const headers = await tarHeaders(layer);
    const binary = headers.find((h) => h.name === "bin/busybox");
    assert.equal(binary?.size, statSync(bb.path).size);
    assert.equal(binary?.mode, 0o755);
    const applets = execFileSync(bb.path, ["--list"], { encoding: "utf8" }).trim().split("\n");
    const links = headers.filter((h) => h.type === "symlink");
    assert.deepEqual(
      links.map((h) => [h.name, h.linkname]),
      applets
        .filter((a) => a !== "busybox")
        .sort()
        .map((a) => [`bin/${a}`, "busybox"]),
    );
    assert.ok(applets.includes("sh") && applets.includes("sleep"));
  });

  test("has root and nobody (65534) in /etc/passwd and /etc/group", () => {
    const passwd = readFileSync(path.join(root, "etc/passwd"), "utf8");
    assert.match(passwd, /^root:x:0:0:/m);
    assert.match(passwd, /^nobody:x:65534:65534:/m);
    assert.match(readFileSync(path.join(root, "etc/group"), "utf8"), /^nobody:x:65534:$/m);
  });

  test("has an empty sticky /tmp and mount points /proc, /sys and /dev", async () => {
    assert.equal(statSync(path.join(root, "tmp")).mode & 0o7777, 0o1777);
    const dirs = (await tarHeaders(layer)).filter((h) => h.type === "directory").map((h) => h.name);
    assert.deepEqual(dirs, ["bin/", "dev/", "etc/", "proc/", "root/", "sys/", "tmp/"]);
  });

  test("runs from the unpacked layer with an empty environment and prints UTF-8 exactly", () => {
    const out = execFileSync(path.join(root, "bin/busybox"), ["printf", "%s\\n", "é日😀"], {
      env: {},
    });
    assert.equal(out.toString("utf8"), "é日😀\n");
    assert.equal(readlinkSync(path.join(root, "bin/sh")), "busybox");
  });

  test("refuses a dynamically linked binary", async () => {
    await assert.rejects(
      hostBusybox(process.execPath),
      new RegExp(`${process.execPath} is dynamically linked and would not run alone`),
    );
  });
});

describe("sandbox (pause) image", () => {
  test("shares the busybox layer and is named capstan.local/pause", () => {
    const blobs = new Set(
      layout.index.manifests.flatMap((d) => layout.manifest(d).layers.map((l) => l.digest)),
    );
    assert.equal(blobs.size, 1);
    assert.deepEqual(pause.names, [`capstan.local/pause:${bb.tag}`]);
    assert.deepEqual(configOf(BUSYBOX_ALIAS).Cmd, ["sh"]);
  });

  test("its entrypoint exits 0 on SIGTERM instead of waiting out its sleep, and leaves no process behind", async () => {
    const [sh, ...args] = configOf(`capstan.local/pause:${bb.tag}`).Entrypoint as string[];
    assert.equal(sh, "/bin/sh");
    const child = spawn(path.join(root, sh!), args, {
      env: { PATH: path.join(root, "bin") },
      stdio: "ignore",
      detached: true, // its own process group, so clean-up can reach a leftover sleep
    });
    const pid = child.pid!;
    const exited = once(child, "exit") as Promise<[number | null, string | null]>;
    try {
      // Ready once the TERM trap is installed and the sleep is running.
      const sleeper = await eventually(
        async () => {
          const caught = BigInt(
            `0x${/SigCgt:\s*(\w+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]}`,
          );
          assert.ok(caught & (1n << 14n), "SIGTERM is not caught yet");
          const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
          assert.ok(kids, "no child yet");
          const kid = Number(kids.split(" ")[0]);
          // A forked child is listed before it execs `sleep`; a TERM sent in that window is
          // swallowed by the shell's copy of the trap, and the sleep would then outlive it.
          assert.equal(readFileSync(`/proc/${kid}/comm`, "utf8").trim(), "sleep", "not exec'd yet");
          return kid;
        },
        { timeoutMs: 5_000, intervalMs: 10 },
      );
      const t0 = Date.now();
      process.kill(pid, "SIGTERM");
      const [code, signal] = await exited;
      assert.deepEqual({ code, signal }, { code: 0, signal: null });
      // Without the trap it would wait out `sleep 3600`; the bound only separates the two
      // and stays loose, since a loaded machine can take seconds to schedule the shell.
      assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
      await eventually(async () => assert.ok(!alive(sleeper), `sleep ${sleeper} is still alive`), {
        timeoutMs: 20_000,
        intervalMs: 20,
      });
    } finally {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // the group is gone: nothing left behind
      }
    }
  });
});
