/**
 * OCI image-layout tarballs (`oci-layout`, `index.json`, `blobs/sha256/…`) made from a list of
 * files, for `ctr images import` on a node that cannot pull: no Docker, no registry.
 *
 * Each image is one or more uncompressed tar layers (so a diff_id is its layer's digest), a
 * config and a manifest; the index lists one entry per name, annotated with `io.containerd.image.name`
 * (the full name, which containerd imports it as) and `org.opencontainers.image.ref.name`
 * (the tag). Blobs shared by several images — the same layer — are stored once.
 *
 * Guarantees: the same images give the same bytes (tar.ts; no timestamps in the JSON).
 * Caveat: the platform is the host's (`process.arch`): files are copied, not cross-built.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { ImageError } from "./errors.js";
import { parseReference } from "./reference.js";
import { cachedLayer, layerKey, storeLayer } from "./layercache.js";
import { tarBytes, writeTar, type LayerEntry } from "./tar.js";

export const MEDIA_TYPES = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar",
} as const;

/** The process-level settings of an image, in the OCI config's own field names. */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  /** e.g. `{ "8081/tcp": {} }`: documentation, as Docker's EXPOSE. */
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
}

/** One layer: its files, and what made it (the config's history line). */
export interface Layer {
  entries: LayerEntry[];
  createdBy: string;
}

/** An image to write into an OCI layout: its names, config, and its files as one layer or several. */
export type ImageSpec = {
  /** Names to import the image as, e.g. `docker.io/library/busybox:1.36` (short names are
   * normalised as Docker does: `busybox:1.36` is the same name). */
  names: string[];
  config?: ImageConfig;
} & (
  | { /** The files of its one layer. */ entries: LayerEntry[]; layers?: never }
  | {
      /** Its layers, bottom first; a later layer adds to earlier ones (no deletions). */
      layers: Layer[];
      entries?: never;
    }
);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

/** An OCI layout tarball written to disk: its file, images (name and manifest digest) and size. */
export interface WrittenLayout {
  file: string;
  /** The full names in the index, each with the digest of its manifest. */
  images: { name: string; manifest: string }[];
  size: number;
  /** How many layers came from the layer cache (with `layerCache`), not packed again. */
  cachedLayers: number;
}

/** How to write a layout. */
export interface LayoutOptions {
  /** A directory of built layers to reuse and fill (layercache.ts); none: pack every layer. */
  layerCache?: string;
}

// Node's process.arch → OCI/Go GOARCH (Node says ppc64 for little-endian ppc64 on Linux).
const ARCHITECTURES: Record<string, { architecture: string; variant?: string }> = {
  x64: { architecture: "amd64" },
  arm64: { architecture: "arm64" },
  arm: { architecture: "arm", variant: "v7" },
  ia32: { architecture: "386" },
  ppc64: { architecture: "ppc64le" },
  s390x: { architecture: "s390x" },
  riscv64: { architecture: "riscv64" },
  loong64: { architecture: "loong64" },
};

/** The OCI platform of this machine (`{ architecture: "amd64", os: "linux" }` on x86-64). */
export function hostPlatform(arch: string = process.arch): Descriptor["platform"] & object {
  const a = ARCHITECTURES[arch];
  if (!a) throw new ImageError("layout", `no OCI architecture is known for Node's arch ${arch}`);
  return { ...a, os: "linux" };
}

/** The config's fields in one order, labels sorted: the same settings give the same bytes. */
function canonicalConfig(c: ImageConfig): ImageConfig {
  const labels =
    c.Labels && Object.fromEntries(Object.entries(c.Labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    ...(c.Entrypoint && { Entrypoint: c.Entrypoint }),
    ...(c.Cmd && { Cmd: c.Cmd }),
    ...(c.Env && { Env: c.Env }),
    ...(c.User !== undefined && { User: c.User }),
    ...(c.WorkingDir !== undefined && { WorkingDir: c.WorkingDir }),
    ...(c.ExposedPorts && { ExposedPorts: c.ExposedPorts }),
    ...(labels && { Labels: labels }),
  };
}

const sha256 = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** The layout as tar bytes: every image's layers, config and manifest, and the index. */
export async function ociLayout(images: ImageSpec | ImageSpec[]): Promise<Buffer> {
  return tarBytes(layoutEntries(await build(Array.isArray(images) ? images : [images], {})));
}

/** Write the layout tarball to `file`, streamed (see ociLayout), and say what it names. */
export async function writeOciLayout(
  file: string,
  images: ImageSpec | ImageSpec[],
  opts: LayoutOptions = {},
): Promise<WrittenLayout> {
  const built = await build(Array.isArray(images) ? images : [images], opts);
  await writeTar(file, layoutEntries(built));
  const images_ = built.index.map((d) => ({
    name: d.annotations?.["io.containerd.image.name"] ?? "",
    manifest: d.digest,
  }));
  const size = (await stat(file)).size;
  return { file, images: images_, size, cachedLayers: built.cachedLayers };
}

type Blob = Buffer | { fromFile: string };

interface Built {
  blobs: Map<string, Blob>;
  index: Descriptor[];
  cachedLayers: number;
}

const ONE_LAYER = "capstan (OCI layout written from a file list)";

async function build(images: ImageSpec[], opts: LayoutOptions): Promise<Built> {
  const platform = hostPlatform();
  const blobs = new Map<string, Blob>();
  let cachedLayers = 0;
  const add = (mediaType: string, bytes: Buffer): Descriptor => {
    const digest = sha256(bytes);
    blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const layer = async (entries: LayerEntry[]): Promise<Descriptor> => {
    const cache = opts.layerCache;
    if (!cache) return add(MEDIA_TYPES.layer, await tarBytes(entries));
    const key = await layerKey(entries);
    const hit = await cachedLayer(cache, key);
    if (hit) {
      cachedLayers++;
      blobs.set(hit.digest, { fromFile: hit.file });
      return { mediaType: MEDIA_TYPES.layer, digest: hit.digest, size: hit.size };
    }
    const bytes = await tarBytes(entries);
    const d = add(MEDIA_TYPES.layer, bytes);
    await storeLayer(cache, key, bytes, d.digest);
    return d;
  };
  const index: Descriptor[] = [];
  const seen = new Set<string>();
  for (const image of images) {
    if (image.names.length === 0)
      throw new ImageError("layout", "an image needs at least one name to be imported by");
    const specs = image.layers ?? [{ entries: image.entries, createdBy: ONE_LAYER }];
    const layers: Descriptor[] = [];
    for (const l of specs) layers.push(await layer(l.entries));
    const config = add(
      MEDIA_TYPES.config,
      json({
        architecture: platform.architecture,
        ...(platform.variant ? { variant: platform.variant } : {}),
        os: platform.os,
        config: canonicalConfig(image.config ?? {}),
        rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
        history: specs.map((l) => ({ created_by: l.createdBy })),
      }),
    );
    const manifest = add(
      MEDIA_TYPES.manifest,
      json({ schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config, layers }),
    );
    for (const n of image.names) {
      const ref = parseReference(n);
      if (seen.has(ref.name)) throw new ImageError("layout", `two images are named ${ref.name}`);
      seen.add(ref.name);
      index.push({
        ...manifest,
        platform,
        annotations: {
          "io.containerd.image.name": ref.name,
          "org.opencontainers.image.ref.name": ref.tag,
        },
      });
    }
  }
  return { blobs, index, cachedLayers };
}

/** The files of the layout tarball itself. */
function layoutEntries({ blobs, index }: Built): LayerEntry[] {
  const indexJson = json({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: index });
  return [
    { type: "file", path: "oci-layout", mode: 0o644, content: '{"imageLayoutVersion":"1.0.0"}' },
    { type: "file", path: "index.json", mode: 0o644, content: indexJson },
    ...[...blobs].map(([digest, content]) => ({
      type: "file" as const,
      path: `blobs/sha256/${digest.slice("sha256:".length)}`,
      mode: 0o644,
      content,
    })),
  ];
}
