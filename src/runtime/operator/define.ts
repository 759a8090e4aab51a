/**
 * What an operator module exports: `export default defineOperator((op) => { … })`. The
 * setup function registers controllers and handlers on an `Operator`; `capstan run`,
 * `capstan dev` and `runOperator()` in tests create the client and call it.
 */
import type { Operator } from "./operator.js";

export interface OperatorDefinition {
  readonly kind: "capstan.operator";
  readonly name: string;
  setup(op: Operator): void | Promise<void>;
}

export function defineOperator(
  setup: (op: Operator) => void | Promise<void>,
  opts: { name?: string } = {},
): OperatorDefinition {
  return { kind: "capstan.operator", name: opts.name ?? "operator", setup };
}

export function isOperatorDefinition(v: unknown): v is OperatorDefinition {
  return (
    typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "capstan.operator"
  );
}
