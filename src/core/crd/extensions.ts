/**
 * Structural checks of the `x-kubernetes-*` extensions: list types and map-list keys
 * (apiextensions `validateMapListKeysMapSet` and friends) and CEL rule entries. Part of
 * `checkStructural`; split out to keep each module to one screenful of rules.
 */
import { celSyntaxError } from "./cel.js";
import type { JSONSchemaProps } from "./schema.js";
import { itemPath, joinPath } from "./schema.js";

export type Add = (path: string, rule: string, message: string) => void;

export function lists(s: JSONSchemaProps, path: string, add: Add): void {
  const type = s["x-kubernetes-list-type"];
  const keys = s["x-kubernetes-list-map-keys"];
  if (type && s.type !== "array") add(path, "list-type", "x-kubernetes-list-type needs type array");
  if (keys?.length && type !== "map")
    add(path, "list-type", "x-kubernetes-list-map-keys needs x-kubernetes-list-type: map");
  const items = s.items;
  if ((type === "set" || type === "map") && items?.nullable)
    add(itemPath(path), "list-type", `items of a ${type} list cannot be nullable`);
  if (type === "set" && items) {
    if (items.type === "object" && items["x-kubernetes-map-type"] !== "atomic")
      add(
        itemPath(path),
        "list-type",
        "objects in a set list must have x-kubernetes-map-type: atomic",
      );
    if (items.type === "array" && (items["x-kubernetes-list-type"] ?? "atomic") !== "atomic")
      add(itemPath(path), "list-type", "lists in a set list must be atomic");
  }
  if (type !== "map") return;
  if (!keys?.length)
    return add(path, "list-map-keys", "a map list needs x-kubernetes-list-map-keys");
  if (items?.type !== "object")
    return add(itemPath(path), "list-map-keys", "items of a map list must be objects");
  if (new Set(keys).size !== keys.length)
    add(path, "list-map-keys", "x-kubernetes-list-map-keys has duplicates");
  for (const k of keys) {
    const p = items.properties?.[k];
    if (!p) add(path, "list-map-keys", `map key "${k}" is not a field of the items`);
    else {
      if (p.type === "object" || p.type === "array")
        add(joinPath(itemPath(path), k), "list-map-keys", "map keys must be scalars");
      if (!items.required?.includes(k) && p.default === undefined)
        add(
          joinPath(itemPath(path), k),
          "list-map-keys",
          "map keys must be required or have a default",
        );
      if (p.nullable)
        add(joinPath(itemPath(path), k), "list-map-keys", "map keys cannot be nullable");
    }
  }
}

export function rules(s: JSONSchemaProps, path: string, add: Add): void {
  const reasons = new Set([
    "FieldValueInvalid",
    "FieldValueForbidden",
    "FieldValueRequired",
    "FieldValueDuplicate",
  ]);
  for (const r of s["x-kubernetes-validations"] ?? []) {
    if (!r.rule?.trim()) add(path, "cel", "a validation rule cannot be empty");
    else {
      const error = celSyntaxError(r.rule);
      if (error) add(path, "cel", `rule ${JSON.stringify(r.rule)} does not parse: ${error}`);
    }
    if (r.message !== undefined && (r.message.trim() === "" || /[\r\n]/.test(r.message)))
      add(path, "cel", "a rule's message must be non-empty and on one line");
    if (r.message === undefined && /[\r\n]/.test(r.rule))
      add(path, "cel", "a rule that spans lines needs a message");
    if (r.reason !== undefined && !reasons.has(r.reason))
      add(path, "cel", `reason ${r.reason} is not supported`);
  }
}
