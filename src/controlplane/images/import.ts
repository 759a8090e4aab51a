/**
 * Importing an OCI layout tarball into a local cluster's node, where the kubelet's container
 * runtime finds it: `ctr -n k8s.io --address <socket> images import <tar>`. Nothing can pull
 * an image back later, so this is how every image reaches the node.
 *
 * Contract: the node records how to reach its containerd in `<cluster dir>/node/runtime.json` (removed with the node)
 * (`{ "ctr": "<path of ctr>", "containerdSocket": "<path of its socket>" }`); a cluster
 * without that file has no node. ctr runs without a shell: the tar path is one argument.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ImageError } from "./errors.js";
import { parseReference } from "./reference.js";

/** Where the node records its containerd socket and ctr, relative to the cluster directory. */
export const NODE_FILE = path.join("node", "runtime.json");

/** How to reach the node's containerd, as the node writes it into the cluster directory. */
export interface NodeRuntime {
  ctr: string;
  containerdSocket: string;
}

/** The cluster's node runtime, or an ImageError saying how to start one. */
export function readNodeRuntime(clusterDir: string): NodeRuntime {
  const file = path.join(clusterDir, NODE_FILE);
  if (!existsSync(file))
    throw new ImageError(
      "import",
      `this cluster has no node: start it with \`capstan cluster up --node\` (no ${file})`,
    );
  let node: Partial<Record<keyof NodeRuntime, unknown>>;
  try {
    node = JSON.parse(readFileSync(file, "utf8")) as typeof node;
  } catch (e) {
    throw new ImageError("import", `${file} is not readable JSON`, { cause: e });
  }
  for (const field of ["ctr", "containerdSocket"] as const)
    if (typeof node[field] !== "string" || node[field] === "")
      throw new ImageError("import", `${file}: field ${field} is missing or not a path`);
  return { ctr: node.ctr as string, containerdSocket: node.containerdSocket as string };
}

/** What an image import into the node printed. */
export interface ImportResult {
  /** What ctr printed: one `unpacking <name> (<digest>)...done` line per image. */
  output: string;
}

/** Import `tarFile` (an OCI layout or docker-archive tarball) into the cluster's node. */
export async function importImage(opts: {
  clusterDir: string;
  tarFile: string;
  timeoutMs?: number;
}): Promise<ImportResult> {
  const tar = path.resolve(opts.tarFile);
  if (!existsSync(tar)) throw new ImageError("import", `${tar}: no such file`);
  return ctr(opts.clusterDir, ["images", "import", tar], opts.timeoutMs);
}

/**
 * Give an image already in the node a second name (`ctr images tag --force`): a tag that
 * changes with the content makes a Deployment roll out the new image, which re-importing
 * under an unchanged name never would. Names are normalised as for the layout.
 */
export async function tagImage(opts: {
  clusterDir: string;
  from: string;
  to: string;
}): Promise<ImportResult> {
  const [from, to] = [parseReference(opts.from).name, parseReference(opts.to).name];
  return ctr(opts.clusterDir, ["images", "tag", "--force", from, to]);
}

function ctr(clusterDir: string, command: string[], timeoutMs = 300_000): Promise<ImportResult> {
  const node = readNodeRuntime(clusterDir);
  const args = ["-n", "k8s.io", "--address", node.containerdSocket, ...command];
  return new Promise((resolve, reject) => {
    execFile(node.ctr, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve({ output: stdout + stderr });
      const why = stderr.trim().split("\n").slice(-5).join("\n") || err.message;
      reject(
        new ImageError("import", `\`${node.ctr} ${args.join(" ")}\` failed: ${why}`, {
          cause: err,
        }),
      );
    });
  });
}
