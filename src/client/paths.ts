/** URL paths for resources, built from discovery information. Pure. */
import type { ResourceInfo } from "./discovery.js";

export function resourcePath(
  info: ResourceInfo,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): string {
  // Discovery's apiVersion was checked when it was resolved: only its form is needed here
  // (the group's regexes per request showed in the operator benchmark's profile).
  const base = info.apiVersion.includes("/")
    ? `/apis/${info.apiVersion}`
    : `/api/${info.apiVersion}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const n = name ? `/${encodeURIComponent(name)}` : "";
  const s = subresource ? `/${subresource}` : "";
  return `${base}${ns}/${info.resource}${n}${s}`;
}
