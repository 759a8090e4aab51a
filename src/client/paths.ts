/** URL paths for resources, built from discovery information. Pure. */
import { parseApiVersion } from "../core/object.js";
import type { ResourceInfo } from "./discovery.js";

export function resourcePath(
  info: ResourceInfo,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): string {
  const { group } = parseApiVersion(info.apiVersion);
  const base = group ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const n = name ? `/${encodeURIComponent(name)}` : "";
  const s = subresource ? `/${subresource}` : "";
  return `${base}${ns}/${info.resource}${n}${s}`;
}
