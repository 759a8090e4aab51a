/**
 * `instanceof` for Capstan's error classes that holds across copies of Capstan in one
 * process. Two copies are common: `capstan run` (compiled) loading an operator whose
 * TypeScript imports the sources, or two versions in node_modules. Without this, a
 * `PermanentError` thrown by the operator's copy is not a `PermanentError` to the runtime's
 * copy, and is retried forever; `e instanceof NotFoundError` in the operator never matches
 * what the client throws.
 *
 * Each class gets a registered symbol (`Symbol.for`, shared by every copy) on its
 * prototype, and a `Symbol.hasInstance` that looks for it — so subclasses still match their
 * parents, and unrelated classes never match.
 */
export function brand(classes: Record<string, abstract new (...args: never[]) => unknown>): void {
  for (const [name, cls] of Object.entries(classes)) {
    const mark = Symbol.for(`capstan.error.${name}`);
    Object.defineProperty(cls.prototype, mark, { value: true });
    Object.defineProperty(cls, Symbol.hasInstance, {
      value: (v: unknown) =>
        typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[mark] === true,
    });
  }
}
