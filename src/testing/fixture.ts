/**
 * The scaffolding every operator test file repeats, in one place: the shared control plane,
 * a client, the CRDs, namespaces made up front, an operator watching them, and the cleanup.
 *
 * `useOperatorFixture` is the standard form: called at the top of a file (or a `describe`),
 * it registers the `before`/`after` hooks itself. Namespaces and operators a test makes with
 * `f.namespace()` and `f.run()` are deleted and stopped when that test ends, so a test body
 * states its claim and nothing else:
 *
 * ```ts
 * const f = useOperatorFixture({ widgets: "mine.capstan.test" });
 *
 * test("a widget is reconciled once", async () => {
 *   const ns = await f.namespace("once");
 *   const op = await f.run(myOperator, { namespaces: [ns] });
 *   await f.kube.create({ ...f.Widget, metadata: { name: "w", namespace: ns } });
 *   await op.idle(); // the signal to assert an absence on; never sleep()
 *   assert.equal(op.writes(), 1);
 * });
 * ```
 *
 * With `operator` and `spaces`, ONE operator runs for the whole file, watching only the
 * file's namespaces (an operator watching every namespace would also reconcile the objects
 * of test files running at the same time):
 *
 * ```ts
 * const f = useOperatorFixture({ operator: printer, crds: [Printer], spaces: ["long", "twin"] });
 * await f.kube.create({ …, metadata: { name: "p", namespace: f.ns.long } });
 * ```
 *
 * `operatorFixture` is the same fixture awaited by hand (inside one test), with `dispose()`.
 */
import { after, afterEach, before, beforeEach } from "node:test";
import type { KubeClient } from "../client/client.js";
import { KubeClient as Client } from "../client/client.js";
import { installCrds, type CrdSource } from "../runtime/operator/crds.js";
import type { OperatorDefinition } from "../runtime/operator/define.js";
import { useControlPlane, type TestControlPlane } from "./controlplane.js";
import { installWidgetCrd } from "./crd.js";
import { testNamespace } from "./namespace.js";
import { runOperator, type RunningOperator } from "./operator.js";

type Definition = Parameters<typeof runOperator>[0];
/** `runOperator`'s options; `kubeconfig` defaults to the fixture's control plane. */
type RunOptions = Omit<Parameters<typeof runOperator>[1], "kubeconfig"> & { kubeconfig?: string };

/** What a test file's fixture sets up: CRDs, namespaces, an operator, a node. */
export interface FixtureOptions<K extends string> {
  /** Install the test `Widget` CRD (crd.ts) in this API group; see `Widget`. */
  widgets?: string;
  crds?: CrdSource[];
  /** A private control plane with a real node (see `useControlPlane`). */
  node?: boolean;
  /** One namespace per key, named `<prefix>-<key>-<random>`, made before the tests. */
  spaces?: readonly K[];
  prefix?: string;
  /** Run this operator for the whole file, watching the namespaces in `spaces`. */
  operator?: Definition;
  /** Keys whose namespaces the file's operator does not watch (a test runs its own there). */
  unwatched?: readonly K[];
  captureLogs?: boolean;
}

/** A test file's control plane, client, namespaces and operator, with per-test cleanup. */
export interface OperatorFixture<K extends string = never> {
  cp: TestControlPlane;
  kube: KubeClient;
  /** The Widget kind, when `widgets` was given. */
  Widget: { apiVersion: string; kind: "Widget" };
  /** The file's operator (option `operator`). */
  op: RunningOperator;
  /** Namespace name by key of `spaces`. */
  ns: Record<K, string>;
  /** A fresh namespace `<prefix>-<random>`, deleted when the test (or fixture) ends. */
  namespace(prefix: string): Promise<string>;
  /** Run an operator on the fixture's control plane, stopped when the test (or fixture) ends. */
  run(def: Definition, opts?: RunOptions): Promise<RunningOperator>;
  /** Run `cleanup` when the test (or fixture) ends, in reverse order of registration. */
  defer(cleanup: () => unknown): void;
  /** Stop every operator and delete every namespace the fixture made. */
  dispose(): Promise<void>;
}

/** The fixture awaited by hand (`useOperatorFixture` registers the hooks for you). */
export async function operatorFixture<K extends string = never>(
  opts: FixtureOptions<K>,
): Promise<OperatorFixture<K>>;
/** The earlier form: `operatorFixture(def, opts)` is `operatorFixture({ operator: def, ...opts })`. */
export async function operatorFixture<K extends string>(
  def: OperatorDefinition,
  opts: FixtureOptions<K>,
): Promise<OperatorFixture<K>>;
export async function operatorFixture<K extends string>(
  a: FixtureOptions<K> | OperatorDefinition,
  b?: FixtureOptions<K>,
): Promise<OperatorFixture<K>> {
  return (await setUp(b ? { ...b, operator: a as OperatorDefinition } : (a as FixtureOptions<K>)))
    .fixture;
}

/** A fixture and the switch between its two scopes: the file's and the running test's. */
async function setUp<K extends string>(
  opts: FixtureOptions<K>,
): Promise<{ fixture: OperatorFixture<K>; inTest(on: boolean): Promise<void> }> {
  const cp = await useControlPlane({ node: opts.node });
  const kube = await Client.fromKubeconfig({ path: cp.kubeconfig });
  const Widget = opts.widgets ? await installWidgetCrd(kube, opts.widgets) : undefined;
  if (opts.crds?.length) await installCrds(kube, opts.crds);
  const scopes = { file: [] as (() => unknown)[], test: [] as (() => unknown)[] };
  let scope = scopes.file;
  const namespace = async (prefix: string) => {
    const s = await testNamespace(kube, prefix);
    scope.push(() => s.dispose());
    return s.name;
  };
  const run = async (def: Definition, o: RunOptions = {}) => {
    const op = await runOperator(def, { kubeconfig: cp.kubeconfig, ...o });
    scope.push(() => op.stop());
    return op;
  };
  // Last made, first undone: operators stop before their namespaces go away.
  const undo = async (list: (() => unknown)[]) => {
    const failed: unknown[] = [];
    for (const f of list.splice(0).reverse())
      await Promise.resolve()
        .then(f)
        .catch((e: unknown) => failed.push(e));
    if (failed.length) throw failed[0];
  };
  const keys = opts.spaces ?? [];
  const names = await Promise.all(keys.map((k) => namespace(`${opts.prefix ?? "t"}-${k}`)));
  const ns = Object.fromEntries(keys.map((k, i) => [k, names[i]])) as Record<K, string>;
  const op = opts.operator
    ? await run(opts.operator, {
        namespaces: keys.filter((k) => !opts.unwatched?.includes(k)).map((k) => ns[k]),
        captureLogs: opts.captureLogs,
      })
    : undefined;
  const missing = (what: string): never => {
    throw new Error(`operatorFixture: no ${what} was asked for`);
  };
  const fixture: OperatorFixture<K> = {
    cp,
    kube,
    get Widget() {
      return Widget ?? missing("Widget (option `widgets`)");
    },
    get op() {
      return op ?? missing("operator (option `operator`)");
    },
    ns,
    namespace,
    run,
    defer: (cleanup) => void scope.push(cleanup),
    dispose: async () => {
      await undo(scopes.test);
      await undo(scopes.file);
    },
  };
  return {
    fixture,
    inTest: async (on) => {
      scope = on ? scopes.test : scopes.file;
      if (!on) await undo(scopes.test);
    },
  };
}

/**
 * The fixture for a test file (or `describe`): registers `before` to set it up, `afterEach`
 * to undo what a test made with `namespace`/`run`, and `after` to dispose of the rest (what
 * `spaces`, `operator` and `f.before` hooks made).
 */
export function useOperatorFixture<K extends string = never>(
  opts: FixtureOptions<K> = {},
): OperatorFixture<K> & {
  /**
   * A `before` hook that runs once the fixture is set up. (Node 20 starts a file's top-level
   * `before` hooks together, so a plain one registered after this fixture cannot rely on it.)
   */
  before(fn: () => unknown): void;
} {
  type SetUp = Awaited<ReturnType<typeof setUp<K>>>;
  let set: SetUp | undefined;
  let setting: Promise<SetUp> | undefined;
  const setUpOnce = async () => void (set = await (setting ??= setUp(opts)));
  const ready = () => {
    if (!set) throw new Error("useOperatorFixture: use the fixture in a test or in f.before");
    return set.fixture;
  };
  before(setUpOnce);
  beforeEach(() => set?.inTest(true));
  afterEach(() => set?.inTest(false));
  after(() => set?.fixture.dispose());
  return {
    before: (fn) =>
      void before(async () => {
        await setUpOnce();
        await fn();
      }),
    get cp() {
      return ready().cp;
    },
    get kube() {
      return ready().kube;
    },
    get Widget() {
      return ready().Widget;
    },
    get op() {
      return ready().op;
    },
    get ns() {
      return ready().ns;
    },
    namespace: (prefix) => ready().namespace(prefix),
    run: (def, o) => ready().run(def, o),
    defer: (cleanup) => ready().defer(cleanup),
    dispose: () => ready().dispose(),
  };
}
