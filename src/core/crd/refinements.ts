/**
 * The whole zod schema of a resource, run on an object: what a resource with
 * `validation: "webhook"` has its operator's validating webhook check, refinements included
 * (the CRD carries everything else, and the API server checks that first).
 *
 * Problems come as the API server reports its own: a dotted field path from the object's
 * root (`spec.maxReplicas`, `spec.ports[0].name`) and the zod issue's message. Only `spec`
 * is checked: status goes through the status subresource, which the webhook is not sent.
 */
import type { z } from "zod";
import type { FieldProblem } from "./errors.js";
import { joinPath } from "./schema.js";

/** What `zodProblems` needs of a `defineResource` result. */
export interface ZodValidated {
  readonly group: string;
  readonly versions: { readonly [n: string]: { readonly definition: { spec: z.ZodType } } };
}

export function zodProblems(resource: ZodValidated, obj: unknown): FieldProblem[] {
  const o = obj as { apiVersion?: string; spec?: unknown };
  const version = o.apiVersion?.startsWith(`${resource.group}/`)
    ? resource.versions[o.apiVersion.slice(resource.group.length + 1)]
    : undefined;
  if (!version)
    return [
      {
        path: "apiVersion",
        code: "FieldValueNotSupported",
        message: `must be one of ${Object.keys(resource.versions)
          .map((n) => `${resource.group}/${n}`)
          .join(", ")}`,
      },
    ];
  const r = version.definition.spec.safeParse(o.spec);
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    path: i.path.reduce<string>(
      (p, k) => joinPath(p, typeof k === "number" ? k : String(k)),
      "spec",
    ),
    code: "FieldValueInvalid",
    message: i.message,
  }));
}
