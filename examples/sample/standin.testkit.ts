// The kustomize base names `nginx:1.27`, which no registry can supply here: the node tests
// import a stand-in under that name, busybox's httpd on port 80 (`capstan image import` from
// code), as a user of the local cluster would import the real image.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { busyboxImage, importImage, writeOciLayout } from "capstan/controlplane";

/** The base's image, made from busybox; SIGTERM ends it at once (PID 1 would ignore it). */
export async function importStandIn(clusterDir: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-sample-img-"));
  try {
    const tar = path.join(dir, "nginx.tar");
    const bb = await busyboxImage();
    await writeOciLayout(tar, {
      ...bb,
      names: ["nginx:1.27"],
      config: {
        ...bb.config,
        Entrypoint: ["/bin/sh", "-c", "trap 'exit 0' TERM; httpd -f -p 80 & wait"],
      },
    });
    await importImage({ clusterDir, tarFile: tar });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
