/**
 * The declaring half of the operator builder: what `op.controller`, `op.on`, `op.admission`,
 * `op.serveConversion`, `op.uses` and the hooks (`onStartup`, `onCleanup`, `probe`) record.
 * It runs nothing and sends no request, so `capstan generate deploy` reads an operator's
 * `declarations()` without a cluster; operator.ts (`Operator`, which extends this) runs them.
 */
import type { ControllerSpec, ApiObject } from "../controller/reconcile.js";
import type { Chosen, InputFor, ObjectFor } from "../controller/typed.js";
import { RuntimeError } from "../errors.js";
import type { MetaMatch } from "../handlers/filters.js";
import { Handlers } from "../handlers/handlers.js";
import type { KindRef } from "../kind.js";
import { Admission, schemaCheckOf } from "../webhooks/admission.js";
import { isConvertible, type ConvertibleResource } from "../webhooks/conversion.js";
import { Activities, type Hook, type HookOptions, type StartupHookOptions } from "./activities.js";

/** An RBAC verb (no wildcards: generated roles list each verb). */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete";

/** Access an operator needs beyond its controllers' own kinds (Secrets it reads, Pods it creates…). */
export interface Access {
  kind: KindRef;
  verbs: Verb[];
  /** e.g. "status", "log". */
  subresource?: string;
}

/** Everything an operator declares, read without running it (`capstan generate deploy`). */
export interface Declarations {
  controllers: ControllerSpec<ApiObject>[];
  uses: Access[];
  /** Admission handlers (`op.admission`): generate deploy emits their configurations. */
  admissions?: Admission<unknown>[];
}

/** An operator's controllers, handler sets, admission handlers, conversions, hooks and access. */
export class OperatorDeclarations {
  private readonly specs: ControllerSpec<ApiObject>[] = [];
  private readonly access: Access[] = [];
  /** @internal Stopped (their daemons) by the run once the controllers have drained. */
  protected readonly handlerSets: Handlers<ApiObject>[] = [];
  private readonly admissions: Admission<unknown>[] = [];
  /** The kinds given to `on`, as given (a `defineResource` result keeps its schema). */
  private readonly onKinds: KindRef[] = [];
  /** Resources with converters the operator names: it serves their conversion webhook. */
  private readonly conversions = new Set<ConvertibleResource>();
  /** @internal The hooks, run by the run's start-up, shutdown and /healthz. */
  protected readonly activities = new Activities();

  /**
   * Add a controller with a reconcile function. The object type comes from `for` (a
   * `defineResource` result, or a built-in kind's literal `{ apiVersion, kind }`); naming it
   * (`controller<X>(…)`) overrides that.
   */
  controller<T extends ApiObject = never, const F extends KindRef = KindRef>(
    spec: ControllerSpec<Chosen<NoInfer<T>, ObjectFor<F>>, Chosen<NoInfer<T>, InputFor<F>>> & {
      for: F;
    },
  ): this {
    this.specs.push(spec as unknown as ControllerSpec<ApiObject>);
    this.noteConversion(spec.for);
    return this;
  }

  /** Add kopf-style handlers for a kind; returns the handler set to register on. */
  on<T extends ApiObject & { spec?: unknown } = never, const F extends KindRef = KindRef>(
    kind: F,
    opts: string | { name?: string; labels?: MetaMatch } = {},
  ): Handlers<Chosen<T, ObjectFor<F>>, Chosen<T, InputFor<F>>> {
    const o = typeof opts === "string" ? { name: opts } : opts;
    this.onKinds.push(kind);
    const h = new Handlers<Chosen<T, ObjectFor<F>>, Chosen<T, InputFor<F>>>(
      kind,
      o.name ?? kind.kind.toLowerCase(),
      o.labels,
    );
    this.handlerSets.push(h as unknown as Handlers<ApiObject>);
    this.noteConversion(kind);
    return h;
  }

  /** Add admission handlers (validate, mutate) for a kind, typed from its definition. */
  admission<T extends ApiObject = never, const F extends KindRef = KindRef>(
    kind: F,
  ): Admission<Chosen<T, ObjectFor<F>>> {
    const a = new Admission<Chosen<T, ObjectFor<F>>>(
      { apiVersion: kind.apiVersion, kind: kind.kind },
      schemaCheckOf(kind),
    );
    this.admissions.push(a as Admission<unknown>);
    this.noteConversion(kind);
    return a;
  }

  /**
   * Serve the conversion webhook of a resource defined with converters. A resource the
   * operator names in `controller`, `on` or `admission` needs no call: it is served anyway.
   */
  serveConversion(resource: ConvertibleResource): this {
    if (!isConvertible(resource)) {
      const r = resource as { kind: string; group: string };
      throw new RuntimeError(
        "serveConversion",
        `${r.kind} (${r.group}) has no converters: give defineResource a convert for each version but the storage one`,
      );
    }
    this.conversions.add(resource);
    return this;
  }

  private noteConversion(kind: unknown): void {
    if (isConvertible(kind)) this.conversions.add(kind);
  }

  /**
   * A hook run before any watch starts; the operator reconciles nothing until it succeeds.
   * Failures are retried with backoff and shown on /readyz; a PermanentError ends `run()`.
   */
  onStartup(fn: Hook, opts: StartupHookOptions = {}): this {
    this.activities.addStartup(fn, opts);
    return this;
  }

  /** A hook run once as `run()` ends, after in-flight work finished; failures are logged. */
  onCleanup(fn: Hook, opts: HookOptions = {}): this {
    this.activities.addCleanup(fn, opts);
    return this;
  }

  /** A check run on each GET /healthz: its value is listed there; a throw fails it, named. */
  probe(fn: Hook, opts: HookOptions = {}): this {
    this.activities.addProbe(fn, opts);
    return this;
  }

  /**
   * Declare access to a kind the operator's code uses through `ctx.client` (its controllers'
   * own kinds, owned kinds, Events and Leases are implied). Generated RBAC grants exactly this.
   */
  uses(kind: KindRef, verbs: Verb[], opts: { subresource?: string } = {}): this {
    this.access.push({ kind, verbs: [...verbs], ...opts });
    return this;
  }

  /** The controllers (handler sets compiled) and declared access, without running anything. */
  declarations(): Declarations {
    return {
      controllers: [...this.specs, ...this.handlerSets.map((h) => h.spec())],
      uses: this.access.map((a) => ({ ...a, verbs: [...a.verbs] })),
      admissions: [...this.admissions],
    };
  }

  /**
   * @internal What the run serves as webhooks: the admission handlers, plus one for each
   * resource with `validation: "webhook"` (its schema served without a handler), recorded
   * here so that `declarations()` lists them from then on; and the conversions.
   */
  protected webhooksToServe(): {
    admissions: Admission<unknown>[];
    conversions: ConvertibleResource[];
  } {
    for (const kind of [...this.specs.map((s) => s.for as KindRef), ...this.onKinds]) {
      const schema = schemaCheckOf(kind);
      const same = (a: Admission<unknown>) =>
        a.kind.apiVersion === kind.apiVersion && a.kind.kind === kind.kind;
      if (schema && !this.admissions.some(same))
        this.admissions.push(
          new Admission({ apiVersion: kind.apiVersion, kind: kind.kind }, schema),
        );
    }
    return { admissions: this.admissions, conversions: [...this.conversions] };
  }
}
