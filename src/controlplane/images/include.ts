/**
 * Extra files an operator image carries besides node and the project — typically a static
 * binary the operator runs, such as the Sample's `kubectl kustomize`. Each is given as
 * `<host path>[:<image path>]`; without an image path a file goes to `/usr/local/bin/<name>`,
 * which is on the image's PATH. Files keep their permission bits and are owned by root, as
 * Docker's COPY makes them, so the non-root user can run but not change them. Parent
 * directories are made by the layer (tar.ts), root's and 0755.
 *
 * The image has no loader beyond node's libraries: an ELF file must be statically linked and
 * built for the host's architecture, or it is refused here rather than failing in the Pod.
 */
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { elfFacts, elfHead, ELF_MACHINES } from "./elf.js";
import { ImageError } from "./errors.js";
import { hostPlatform } from "./layout.js";
import type { LayerEntry } from "./tar.js";

/** One file to include: where it is on the host and where the image has it. */
export interface Inclusion {
  from: string;
  to: string;
}

/** Parse `<host path>[:<image path>]`; the image path must be absolute. */
export function parseInclusion(spec: string): Inclusion {
  const at = spec.lastIndexOf(":/");
  const [from, to] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, undefined];
  if (from === "")
    throw new ImageError("include", `--include ${spec}: no host path before the image path`);
  const dest = to ?? path.posix.join("/usr/local/bin", path.basename(from));
  if (path.posix.normalize(dest) !== dest || dest.endsWith("/"))
    throw new ImageError("include", `--include ${spec}: ${dest} is not a plain absolute path`);
  return { from: path.resolve(from), to: dest };
}

/** The layer entries of `inclusions`, each file checked (see the module comment). */
export async function includedEntries(inclusions: Inclusion[]): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  for (const { from, to } of inclusions) {
    const file = await realpath(from).catch((e: unknown) => {
      throw new ImageError("include", `--include ${from}: no such file`, { cause: e });
    });
    const st = await stat(file);
    if (!st.isFile()) throw new ImageError("include", `--include ${from}: not a regular file`);
    const elf = elfFacts(await elfHead(file));
    const { architecture } = hostPlatform();
    if (elf && !elf.static)
      throw new ImageError(
        "include",
        `--include ${from}: dynamically linked; the image has no libraries for it (build it static, e.g. CGO_ENABLED=0)`,
      );
    if (elf && ELF_MACHINES[architecture] !== elf.machine)
      throw new ImageError("include", `--include ${from}: not built for ${architecture}`);
    out.push({ type: "file", path: to, mode: st.mode & 0o7777, content: { fromFile: file } });
  }
  return out; // tar.ts adds the parent directories
}
