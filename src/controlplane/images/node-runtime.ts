/**
 * The Node.js runtime layer of an operator image: the host's `node` binary, the shared
 * libraries its loader resolves (as `ldd` lists them: glibc, libstdc++, libgcc_s and the
 * loader itself, each copied to the path the loader looks for), and the minimum a process
 * needs around it — `/etc/passwd` and `/etc/group` naming the image's numeric user, and `/tmp`.
 * No shell, no package manager, no npm: the operator is the only program in the image.
 *
 * Why the host's binary rather than a distribution's package: it is the Node that
 * `capstan run` used during development (same version, same flags, same ICU), and the
 * libraries are the ones it was just seen working with; a distribution's `nodejs` is often
 * older than the engines range (Debian 12 ships 18). Caveat: the image is for the host's
 * architecture and its libc (glibc); a statically linked node needs no libraries at all.
 */
import { execFile } from "node:child_process";
import { realpath } from "node:fs/promises";
import { promisify } from "node:util";
import { elfFacts, elfHead, ELF_MACHINES } from "./elf.js";
import { ImageError } from "./errors.js";
import { hostPlatform } from "./layout.js";
import type { LayerEntry } from "./tar.js";

const run = promisify(execFile);

/** Where the image keeps node: on the default PATH, where the official node images have it. */
export const NODE_PATH = "/usr/local/bin/node";

/**
 * The absolute paths in `ldd`'s output, in its order: `name => /path (0x…)` and the loader's
 * own `/path (0x…)` line. The vDSO has no file and is skipped; a library the loader cannot
 * find is an error naming it.
 */
export function parseLdd(output: string, binary: string): string[] {
  const paths: string[] = [];
  for (const line of output.split("\n").map((l) => l.trim())) {
    if (line === "" || /statically linked|not a dynamic executable/.test(line)) continue;
    if (/=>\s*not found/.test(line))
      throw new ImageError(
        "runtime",
        `${binary} needs ${line.split(/\s/)[0]}, which the host's loader cannot find`,
      );
    const m =
      /=>\s*(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line) ?? /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    if (m?.[1]) paths.push(m[1]);
  }
  return [...new Set(paths)];
}

/** The host's Node.js binary and the shared libraries it needs, for a project's image. */
export interface HostNode {
  /** The binary that was copied (symlinks resolved). */
  binary: string;
  /** `process.version` of that binary, e.g. `v20.20.2`. */
  version: string;
  /** Shared libraries, at the paths the loader resolves them by. */
  libraries: string[];
}

/** The host's node (default: the one running this process) and the libraries it loads. */
export async function hostNode(node: string = process.execPath): Promise<HostNode> {
  const binary = await realpath(node).catch((e: unknown) => {
    throw new ImageError("runtime", `cannot find the node binary ${node}`, { cause: e });
  });
  const head = await elfHead(binary);
  const elf = elfFacts(head);
  if (!elf) throw new ImageError("runtime", `${binary} is not an ELF binary`);
  const { architecture } = hostPlatform();
  if (ELF_MACHINES[architecture] !== elf.machine)
    throw new ImageError("runtime", `${binary} is not built for ${architecture}`);
  const [version, libraries] = await Promise.all([
    run(binary, ["--version"]).then((r) => r.stdout.trim()),
    elf.static
      ? Promise.resolve([])
      : run("ldd", [binary]).then(
          (r) => parseLdd(r.stdout, binary),
          (e: unknown) => {
            throw new ImageError("runtime", `\`ldd ${binary}\` failed`, { cause: e });
          },
        ),
  ]);
  return { binary, version, libraries };
}

/** The numeric user the image runs as: not root, so `runAsNonRoot` can be verified. */
export interface ImageUser {
  uid: number;
  gid: number;
  name: string;
  home: string;
}

/** The runtime layer's entries: node, its libraries, passwd/group for `user`, and `/tmp`. */
export function nodeRuntimeEntries(rt: HostNode, user: ImageUser): LayerEntry[] {
  return [
    { type: "file", path: NODE_PATH, mode: 0o755, content: { fromFile: rt.binary } },
    // Copied (not linked) to the very path the loader asks for: the host's symlink farm
    // (merged /usr, versioned sonames) stays out of the image.
    ...rt.libraries.map((lib): LayerEntry => ({
      type: "file",
      path: lib,
      mode: 0o755,
      content: { fromFile: lib },
    })),
    {
      type: "file",
      path: "/etc/passwd",
      mode: 0o644,
      content:
        "root:x:0:0:root:/root:/usr/sbin/nologin\n" +
        `${user.name}:x:${user.uid}:${user.gid}:${user.name}:${user.home}:/usr/sbin/nologin\n` +
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    },
    {
      type: "file",
      path: "/etc/group",
      mode: 0o644,
      content: `root:x:0:\n${user.name}:x:${user.gid}:\nnogroup:x:65534:\n`,
    },
    { type: "directory", path: "/root", mode: 0o700 },
    { type: "directory", path: "/tmp", mode: 0o1777 },
    { type: "directory", path: "/proc", mode: 0o555 },
    { type: "directory", path: "/sys", mode: 0o555 },
    { type: "directory", path: "/dev", mode: 0o755 },
  ];
}
