/**
 * What an operator module exports: `export default defineOperator((op) => { … })`. The
 * setup function registers controllers and handlers on an `Operator`; `capstan run`,
 * `capstan dev` and `runOperator()` in tests create the client and call it.
 */
import type { Operator } from "./operator.js";

/** An operator module's default export: its name and the setup that registers its controllers and handlers. */
export interface OperatorDefinition {
  readonly kind: "capstan.operator";
  readonly name: string;
  /** Register controllers and handlers on `op`. */
  setup(op: Operator): void | Promise<void>;
}

/** Define an operator: `export default defineOperator((op) => { op.controller(…); op.on(…) }, { name })`. */
export function defineOperator(
  setup: (op: Operator) => void | Promise<void>,
  opts: { name?: string } = {},
): OperatorDefinition {
  return { kind: "capstan.operator", name: opts.name ?? "operator", setup };
}

/** Whether a module's export is a `defineOperator` definition. */
export function isOperatorDefinition(v: unknown): v is OperatorDefinition {
  return (
    typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "capstan.operator"
  );
}
