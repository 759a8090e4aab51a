/**
 * The crd module's errors and problem records.
 *
 * - `CrdSchemaError`: a definition cannot become a CRD the API server accepts. Raised when the
 *   manifest is generated, never left for the API server to refuse; lists every `SchemaIssue`.
 * - An object that does not satisfy its resource's schema is reported as `FieldProblem`s (core's
 *   `Problem` with the API server's cause reasons as codes); `parse` throws core's
 *   `ValidationError` with the same data `safeParse` returns.
 */
import type { Problem } from "../problem.js";

/** Why a schema cannot be used, at which place of the definition. */
export interface SchemaIssue {
  /** Where in the resource: `v1.spec.roles.items`, `names.plural`, `v1.printerColumns[0]`. */
  path: string;
  /** Short stable name of the rule broken, e.g. `no-ref`, `unique-items`, `type-required`. */
  rule: string;
  message: string;
}

/**
 * One thing wrong with an object. `code` is the reason the API server would put in its 422
 * Status cause (`FieldValueRequired`, `FieldValueInvalid`, …) and `path` its `field`.
 */
export interface FieldProblem extends Problem {
  code: ProblemCode;
}

export type ProblemCode =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueTypeInvalid"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueDuplicate"
  | "FieldValueForbidden";

export class CrdSchemaError extends Error {
  override readonly name = "CrdSchemaError";
  constructor(
    readonly resource: string,
    readonly issues: readonly SchemaIssue[],
  ) {
    super(
      `${resource}: the CRD would not be a valid structural schema:\n` +
        issues.map((i) => `  ${i.path}: ${i.message} [${i.rule}]`).join("\n"),
    );
  }
}
