/**
 * The images a local node needs before any Pod can run, made from Debian's `busybox-static`
 * package: a busybox image (one static binary, a symlink per applet, root and nobody), and
 * the sandbox ("pause") image every Pod starts with — the same layer running a shell loop
 * that exits at once on SIGTERM, so deleting a Pod does not wait out its grace period.
 *
 * Naming: the busybox image is tagged with the version it really is
 * (`capstan.local/busybox:1.35.0-debian`) and also as `docker.io/library/busybox:1.36`, the
 * image the examples name; docs/images.md explains the mapping.
 * Assumption: the binary is the host's, so the image is for the host's architecture.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { ELF_MACHINES, elfFacts } from "./elf.js";
import { ImageError } from "./errors.js";
import { hostPlatform, type ImageSpec } from "./layout.js";
import type { LayerEntry } from "./tar.js";

const run = promisify(execFile);

/** The name the examples use for busybox; the local image is imported under it too. */
export const BUSYBOX_ALIAS = "docker.io/library/busybox:1.36";

/** PID 1 of the sandbox image: sleeps until SIGTERM or SIGINT, then exits 0 at once. The
 * sleep runs in the background because a shell runs traps only between commands; `wait` is
 * interrupted by the signal, and the trap ends the sleep so nothing outlives the shell. */
export const PAUSE_SCRIPT =
  "trap 'kill $! 2>/dev/null; exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";

const PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The host's static busybox, read to make the local `busybox` image. */
export interface HostBusybox {
  /** Where the binary was read from. */
  path: string;
  bytes: Buffer;
  /** Its first line, e.g. `BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.` */
  banner: string;
  /** Upstream version, e.g. `1.35.0`. */
  version: string;
  /** The tag it is honestly named by: the version, `-debian` when Debian built it. */
  tag: string;
  /** What `busybox --list` names, without `busybox` itself. */
  applets: string[];
}

/** Where dpkg says the installed `busybox-static` package put its binary. */
async function debianBusybox(): Promise<string> {
  const missing =
    "Debian's busybox-static package is not installed: run `apt-get install busybox-static`";
  let listing: string;
  try {
    listing = (await run("dpkg-query", ["-L", "busybox-static"])).stdout;
  } catch (e) {
    throw new ImageError("busybox", missing, { cause: e });
  }
  const file = listing.split("\n").find((l) => /\/bin\/busybox$/.test(l));
  if (!file) throw new ImageError("busybox", `${missing} (it lists no bin/busybox)`);
  return file;
}

/** The host's static busybox, checked: ELF, statically linked, for this machine. */
export async function hostBusybox(binary?: string): Promise<HostBusybox> {
  const path = binary ?? (await debianBusybox());
  const bytes = await readFile(path).catch((e: unknown) => {
    throw new ImageError("busybox", `cannot read ${path}`, { cause: e });
  });
  const elf = elfFacts(bytes);
  if (!elf) throw new ImageError("busybox", `${path} is not an ELF binary`);
  if (!elf.static)
    throw new ImageError(
      "busybox",
      `${path} is dynamically linked and would not run alone in an image; ` +
        "use the binary of Debian's busybox-static package",
    );
  const { architecture } = hostPlatform();
  if (ELF_MACHINES[architecture] !== elf.machine)
    throw new ImageError(
      "busybox",
      `${path} is not built for ${architecture} (ELF machine ${elf.machine})`,
    );
  const [help, list] = await Promise.all([run(path, []), run(path, ["--list"])]).catch(
    (e: unknown) => {
      throw new ImageError("busybox", `cannot run ${path}`, { cause: e });
    },
  );
  const banner = help.stdout.split("\n")[0] ?? "";
  const m = /^BusyBox v(\d[\w.]*)/.exec(banner);
  if (!m?.[1])
    throw new ImageError("busybox", `${path} does not say its version: ${JSON.stringify(banner)}`);
  const applets = list.stdout.split("\n").filter((a) => a !== "" && a !== "busybox");
  const tag = /\(Debian /.test(banner) ? `${m[1]}-debian` : m[1];
  return { path, bytes, banner, version: m[1], tag, applets };
}

/** The one layer both images share: Docker's busybox image layout, from the host's binary. */
function busyboxLayer(bb: HostBusybox): LayerEntry[] {
  return [
    { type: "file", path: "/bin/busybox", mode: 0o755, content: bb.bytes },
    // Relative targets, so the layer also works unpacked anywhere (the tests run it so).
    ...bb.applets.map((a): LayerEntry => ({
      type: "symlink",
      path: `/bin/${a}`,
      target: "busybox",
    })),
    {
      type: "file",
      path: "/etc/passwd",
      mode: 0o644,
      content:
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    },
    { type: "file", path: "/etc/group", mode: 0o644, content: "root:x:0:\nnobody:x:65534:\n" },
    { type: "directory", path: "/root", mode: 0o700 },
    { type: "directory", path: "/tmp", mode: 0o1777 },
    { type: "directory", path: "/proc", mode: 0o555 },
    { type: "directory", path: "/sys", mode: 0o555 },
    { type: "directory", path: "/dev", mode: 0o755 },
  ];
}

const labels = (bb: HostBusybox) => ({
  "org.opencontainers.image.version": bb.version,
  "org.opencontainers.image.description": `${bb.banner} Made by Capstan from ${bb.path}.`,
});

/** busybox, named `capstan.local/busybox:<tag>` and BUSYBOX_ALIAS; runs `sh` by default. */
export async function busyboxImage(from?: HostBusybox): Promise<ImageSpec> {
  const bb = from ?? (await hostBusybox());
  return {
    names: [`capstan.local/busybox:${bb.tag}`, BUSYBOX_ALIAS],
    entries: busyboxLayer(bb),
    config: { Cmd: ["sh"], Env: [PATH], Labels: labels(bb) },
  };
}

/** The sandbox image `capstan.local/pause:<tag>`: busybox running PAUSE_SCRIPT. */
export async function pauseImage(from?: HostBusybox): Promise<ImageSpec> {
  const bb = from ?? (await hostBusybox());
  return {
    names: [`capstan.local/pause:${bb.tag}`],
    entries: busyboxLayer(bb),
    config: { Entrypoint: ["/bin/sh", "-c", PAUSE_SCRIPT], Env: [PATH], Labels: labels(bb) },
  };
}
