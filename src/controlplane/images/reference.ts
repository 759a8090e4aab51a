/**
 * Image references as the kubelet and containerd spell them. A Pod's `image: busybox:1.36` is
 * looked up as `docker.io/library/busybox:1.36`, so an image imported under the short name
 * would never be found: names are normalised the way Docker does before they go into a layout.
 */
import { ImageError } from "./errors.js";

export interface Reference {
  /** The full name, e.g. `docker.io/library/busybox:1.36`. */
  name: string;
  /** The tag alone, e.g. `1.36` (what OCI's `org.opencontainers.image.ref.name` holds). */
  tag: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** `busybox:1.36` → `docker.io/library/busybox:1.36`; a reference without a tag gets `latest`. */
export function parseReference(ref: string): Reference {
  const bad = (why: string) =>
    new ImageError("layout", `image name ${JSON.stringify(ref)}: ${why}`);
  if (ref.includes("@")) throw bad("a digest cannot name a locally made image; use a tag");
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, "latest"];
  if (!TAG.test(tag)) throw bad(`the tag ${JSON.stringify(tag)} is not a valid tag`);
  const parts = repo.split("/");
  const first = parts[0] ?? "";
  const hasDomain =
    parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const domain = hasDomain ? first : "docker.io";
  const path = hasDomain ? parts.slice(1) : parts;
  if (domain === "docker.io" && path.length === 1) path.unshift("library");
  for (const c of path)
    if (!COMPONENT.test(c)) throw bad(`the path component ${JSON.stringify(c)} is not valid`);
  return { name: `${domain}/${path.join("/")}:${tag}`, tag };
}
