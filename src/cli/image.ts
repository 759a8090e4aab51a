/** `capstan image import`: put an image into the local cluster's node, which cannot pull. */
import type { Command } from "commander";
import { defaultStateDir, importImage } from "../controlplane/index.js";

export function registerImage(program: Command): void {
  const image = program
    .command("image")
    .description("Images for the local cluster's node (it has no registry to pull from).");

  image
    .command("import")
    .description(
      "import an OCI image-layout tarball into the node's containerd; the image keeps the " +
        "name its index gives it (annotation io.containerd.image.name)",
    )
    .argument("<oci-layout.tar>", "the tarball, e.g. from writeOciLayout() or `docker save`")
    .option("--cluster-dir <path>", "state directory of the local control plane", defaultStateDir())
    .action(async (tarFile: string, o: { clusterDir: string }) => {
      const r = await importImage({ clusterDir: o.clusterDir, tarFile });
      process.stdout.write(r.output.endsWith("\n") || r.output === "" ? r.output : `${r.output}\n`);
    });
}
