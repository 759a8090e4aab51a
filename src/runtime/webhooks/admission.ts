/**
 * Admission handlers on one kind, typed from its definition: `op.admission(Memcached)`
 * `.validate({ create, update, delete })` and `.mutate(fn)`. This module holds what an
 * author writes and the builder; review.ts answers the API server's requests with it.
 *
 * A validate handler returns nothing to allow, or `deny(message, field)`; `warn(text)` adds a
 * warning that kubectl prints either way. A mutate handler changes the object it is given (a
 * copy) or returns a new one; Capstan computes the JSON patch.
 *
 * A `defineResource` result with `validation: "webhook"` brings its whole zod schema
 * (`schemaCheckOf`): checked on create and update before any handler, with or without one.
 */
import { zodProblems, type ZodValidated } from "../../core/crd/index.js";
import type { Problem } from "../../core/problem.js";
import type { KindRef } from "../kind.js";

export type Operation = "CREATE" | "UPDATE" | "DELETE";

/** What the API server says about the request, besides the objects. */
export interface RequestInfo {
  uid: string;
  operation: Operation;
  namespace?: string;
  name?: string;
  dryRun: boolean;
  userInfo: { username?: string; groups?: string[] };
}

/** A refusal from a validate handler: its message and, optionally, the field it is about. */
export interface Denial {
  readonly denied: true;
  readonly message: string;
  /** The field at fault, dotted (`spec.replicas`): shown by kubectl, a cause for clients. */
  readonly field?: string;
}

/** Refuse the request: kubectl shows `field: message`. */
export function deny(message: string, field?: string): Denial {
  return { denied: true, message, field };
}

type Verdict = void | Denial | Promise<void | Denial>;

interface Common {
  request: RequestInfo;
  /** A warning for the client (kubectl prints `Warning: …`); the request goes on. */
  warn(text: string): void;
}

/** Validate handlers by operation; an operation without one is not sent to the webhook. */
export interface ValidateHandlers<T> {
  /** A create: the object as it would be stored. */
  create?(a: Common & { object: T }): Verdict;
  /** An update: the new object and the old one. */
  update?(a: Common & { object: T; old: T }): Verdict;
  /** A delete: the object as it was. */
  delete?(a: Common & { old: T }): Verdict;
}

/** A mutate handler: change the object (or return a new one); Capstan sends the JSON patch. */
export type MutateHandler<T> = (
  a: Common & { operation: "CREATE" | "UPDATE"; object: T; old?: T },
) => T | void | Promise<T | void>;

/** What the API server does when the webhook cannot answer: refuse (`Fail`) or let through. */
export type FailurePolicy = "Fail" | "Ignore";

/** One webhook's failure policy and time limit. */
export interface WebhookOptions {
  /**
   * What the API server does when the webhook cannot be reached or times out. Default
   * `Fail` for validation (a rule that can be skipped is no rule) and `Ignore` for mutation
   * (defaults are a convenience; an operator that is down should not block writes).
   */
  failurePolicy?: FailurePolicy;
  /** Default 5 s: short, so a slow webhook delays writes little (the API server allows 1–30). */
  timeoutSeconds?: number;
}

export interface Validator<T> {
  handlers: ValidateHandlers<T>;
  options: WebhookOptions;
}

export interface Mutator<T> {
  handler: MutateHandler<T>;
  options: WebhookOptions;
}

/** The problems the kind's whole schema finds with an object (paths from its root). */
export type SchemaCheck = (object: unknown) => Problem[];

/** The schema check of a kind whose definition asks for `validation: "webhook"`, if it does. */
export function schemaCheckOf(kind: KindRef): SchemaCheck | undefined {
  const r = kind as KindRef & Partial<ZodValidated> & { validation?: unknown };
  if (r.validation !== "webhook" || !r.versions || typeof r.group !== "string") return undefined;
  const resource = r as KindRef & ZodValidated;
  return (object) => zodProblems(resource, object);
}

/** The handlers of one kind; `op.admission(kind)` returns it to register on. */
export class Admission<T> {
  readonly validators: Validator<T>[] = [];
  readonly mutators: Mutator<T>[] = [];

  /** `schema`: the kind's whole schema, checked on create and update (`schemaCheckOf`). */
  constructor(
    readonly kind: KindRef,
    readonly schema?: SchemaCheck,
  ) {}

  /** Validate creates, updates and/or deletes: only the operations given are sent. */
  validate(handlers: ValidateHandlers<T>, options: WebhookOptions = {}): this {
    if (!handlers.create && !handlers.update && !handlers.delete)
      throw new Error(
        `validate ${this.kind.kind} (${this.kind.apiVersion}): give at least one of create, update, delete`,
      );
    if (this.validators.length)
      throw new Error(
        `validate ${this.kind.kind} (${this.kind.apiVersion}): already has a validate handler; one per kind`,
      );
    this.validators.push({ handlers, options });
    return this;
  }

  /** Change objects on create and update (defaults, normalisation). */
  mutate(handler: MutateHandler<T>, options: WebhookOptions = {}): this {
    if (this.mutators.length)
      throw new Error(
        `mutate ${this.kind.kind} (${this.kind.apiVersion}): already has a mutate handler; one per kind`,
      );
    this.mutators.push({ handler, options });
    return this;
  }
}

/** The kind's validating webhook, if it has one: a handler's operations, create and update for a schema. */
export function validatingOf(
  a: Admission<unknown>,
): { operations: Operation[]; options: WebhookOptions } | undefined {
  const v = a.validators[0];
  const ops = new Set<Operation>(v ? operationsOf(v.handlers) : []);
  if (a.schema) ["CREATE" as const, "UPDATE" as const].forEach((o) => ops.add(o));
  if (!ops.size) return undefined;
  const order: Operation[] = ["CREATE", "UPDATE", "DELETE"];
  return { operations: order.filter((o) => ops.has(o)), options: v?.options ?? {} };
}

/** The operations a validator is called for, in the API server's words. */
export function operationsOf(h: ValidateHandlers<unknown>): Operation[] {
  return [
    ...(h.create ? (["CREATE"] as const) : []),
    ...(h.update ? (["UPDATE"] as const) : []),
    ...(h.delete ? (["DELETE"] as const) : []),
  ];
}
