/**
 * Validation problems as data, and core's one error class.
 *
 * Checks in core never throw: they return `Problem[]` (empty when the input is fine), so a
 * caller can collect every problem at once. `ValidationError` is for the few helpers that
 * must return a value (`parseApiVersion`, the selector builders) and for callers that want
 * to turn problems into an exception.
 */
import { brand } from "./brand.js";

export interface Problem {
  /** Where the problem is, as a dotted path into the input (`metadata.name`). */
  path: string;
  /** A stable, machine-readable code (`required`, `invalid-name`, `too-long`, …). */
  code: string;
  message: string;
}

export class ValidationError extends Error {
  override readonly name = "ValidationError";
  readonly problems: Problem[];

  constructor(what: string, problems: Problem[]) {
    super(`${what}: ${formatProblems(problems)}`);
    this.problems = problems;
  }
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ");
}

export const problem = (path: string, code: string, message: string): Problem => ({
  path,
  code,
  message,
});

brand({ ValidationError });
