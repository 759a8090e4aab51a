/**
 * The node's own images, made without a registry (images/): busybox, under the name the
 * examples use, and the sandbox image every Pod's sandbox runs. Written once per node into
 * its state directory and imported into containerd; the node also records how to reach its
 * containerd (`node/runtime.json`) so that `capstan image import` can load a user's images.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ControlPlaneError } from "../errors.js";
import { busyboxImage, hostBusybox, pauseImage } from "../images/busybox.js";
import { importImage, NODE_FILE, type NodeRuntime } from "../images/import.js";
import { writeOciLayout } from "../images/layout.js";

/** The sandbox image's name for the busybox on this host (known before containerd starts). */
export async function sandboxImage(): Promise<string> {
  const [name] = (await pauseImage(await hostBusybox())).names;
  return name!;
}

/** Make busybox and the sandbox image (once per state dir) and import them into the node. */
export async function ensureLocalImages(
  clusterDir: string,
  stateDir: string,
  runtime: NodeRuntime,
): Promise<void> {
  const file = path.join(clusterDir, NODE_FILE);
  writeFileSync(file, JSON.stringify(runtime, null, 2));
  const tar = path.join(stateDir, "images", "local-images.tar");
  if (!existsSync(tar)) {
    mkdirSync(path.dirname(tar), { recursive: true });
    const bb = await hostBusybox();
    await writeOciLayout(tar, [await busyboxImage(bb), await pauseImage(bb)]);
  }
  try {
    await importImage({ clusterDir, tarFile: tar });
  } catch (e) {
    throw new ControlPlaneError(
      "start",
      `importing the node's images failed: ${(e as Error).message}`,
      {
        component: "containerd",
        cause: e,
      },
    );
  }
}
