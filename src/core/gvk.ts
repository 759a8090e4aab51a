/**
 * API groups, versions and kinds: parsing `apiVersion` strings and naming resources.
 *
 * Contract: `apiVersion` is `version` for the core group (`v1`) and `group/version`
 * otherwise (`apps/v1`); the core group is the empty string.
 */
import { problem, ValidationError, type Problem } from "./problem.js";

export interface GroupVersion {
  group: string;
  version: string;
}

export interface GroupVersionKind extends GroupVersion {
  kind: string;
}

/** What a kind is known by on the wire: its `apiVersion` and `kind`. */
export interface TypeMeta<A extends string = string, K extends string = string> {
  apiVersion: A;
  kind: K;
}

// Versions are DNS-1035 labels; `v1`, `v2beta1` and `v1alpha3` are the conventional ones.
const VERSION = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

export function checkApiVersion(apiVersion: unknown, path = "apiVersion"): Problem[] {
  if (typeof apiVersion !== "string" || apiVersion === "")
    return [problem(path, "required", "apiVersion is required (e.g. `v1` or `apps/v1`)")];
  const parts = apiVersion.split("/");
  const [group, version] = parts.length === 1 ? ["", parts[0]] : parts;
  if (parts.length > 2 || version === undefined || group === undefined)
    return [problem(path, "invalid", `"${apiVersion}" is not of the form group/version`)];
  if (parts.length === 2 && !GROUP.test(group))
    return [problem(path, "invalid", `"${group}" is not a valid API group name`)];
  if (!VERSION.test(version))
    return [
      problem(
        path,
        "invalid",
        `"${version}" is not a valid version (a DNS-1035 label such as v1 or v1beta2)`,
      ),
    ];
  return [];
}

export function checkKind(kind: unknown, path = "kind"): Problem[] {
  if (typeof kind !== "string" || kind === "")
    return [problem(path, "required", "kind is required (e.g. `ConfigMap`)")];
  if (!KIND.test(kind)) return [problem(path, "invalid", `"${kind}" is not a valid kind name`)];
  return [];
}

/** Split an `apiVersion`; throws `ValidationError` when it is malformed. */
export function parseApiVersion(apiVersion: string): GroupVersion {
  const problems = checkApiVersion(apiVersion);
  if (problems.length > 0) throw new ValidationError("invalid apiVersion", problems);
  const i = apiVersion.indexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function formatApiVersion(gv: GroupVersion): string {
  return gv.group === "" ? gv.version : `${gv.group}/${gv.version}`;
}
