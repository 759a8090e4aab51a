/**
 * `core`: what Capstan knows about Kubernetes without talking to it — object and reference
 * types, API group/version/kind parsing, name rules, selectors and the kind → type map.
 * Pure and I/O-free; every other layer builds on it.
 */
export type { KubeObject, ObjectMeta, ObjectRef, TypeRef } from "./object.js";
export { refOf, describe, checkRef, checkObject } from "./object.js";
export type { GroupVersion, GroupVersionKind, TypeMeta } from "./gvk.js";
export { parseApiVersion, formatApiVersion, checkApiVersion, checkKind } from "./gvk.js";
export type { NameRule } from "./names.js";
export {
  checkName,
  checkNameAs,
  checkNamespace,
  checkLabels,
  checkLabelKey,
  checkLabelValue,
  isDns1123Label,
  isDns1123Subdomain,
  isRfc1035Label,
  isPathSegmentName,
} from "./names.js";
export type {
  LabelSelector,
  LabelSelectorInput,
  FieldSelectorInput,
  Selector,
} from "./selectors.js";
export { labelSelector, fieldSelector, escapeFieldValue, selectorString } from "./selectors.js";
export type { KindRegistry, KindObject, TypedObject, IsRegistered } from "./kinds.js";
export type { BuiltinKinds } from "./builtin-kinds.js";
export { ValidationError, formatProblems, type Problem } from "./problem.js";
export { truncateUtf8, utf8Length } from "./text.js";
