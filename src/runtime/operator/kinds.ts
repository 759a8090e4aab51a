/**
 * The kinds a controller names (`for`, `owns`, `watches`), checked before it starts:
 *
 * - `checkKinds(spec)`: a malformed apiVersion or kind is known before any request; refuse
 *   it, naming the controller and the field, instead of a list that fails forever.
 * - `waitUntilServed(client, specs)`: once the API server answers, a kind it does not serve
 *   but discovery has a close match for (`Widgets` for `Widget`, `v1` for a group serving
 *   `v1beta1`) is a mistake in the code: refuse to start with "did you mean …". A kind with
 *   nothing close is not an error: its CRD may be installed later, so wait for it, alive but
 *   not ready (/readyz names the kind), as `capstan run` waits for the CRDs it exports.
 */
import type { KubeClient } from "../../client/client.js";
import { ClientError } from "../../client/errors.js";
import { didYouMean } from "../../client/suggest.js";
import { checkApiVersion, checkKind } from "../../core/gvk.js";
import type { ApiObject, ControllerSpec } from "../controller/reconcile.js";
import { RuntimeError } from "../errors.js";
import type { Logger } from "../log.js";
import type { KindRef } from "../kind.js";
import { backoffFrom } from "../backoff.js";
import { sleep } from "../sleep.js";

/** Every kind a controller names, with the field that names it. */
function kindsOf(spec: ControllerSpec<ApiObject>): { at: string; k: KindRef }[] {
  return [
    { at: "for", k: spec.for },
    ...(spec.owns ?? []).map((k, i) => ({ at: `owns[${i}]`, k })),
    ...(spec.watches ?? []).map((w, i) => ({ at: `watches[${i}].kind`, k: w.kind })),
  ];
}

export function checkKinds(spec: ControllerSpec<ApiObject>): void {
  for (const { at, k } of kindsOf(spec)) {
    const problems = [
      ...checkApiVersion(k.apiVersion, `${at}.apiVersion`),
      ...checkKind(k.kind, `${at}.kind`),
    ];
    if (problems.length)
      throw new RuntimeError(
        "run",
        `controller ${spec.name}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
      );
  }
}

/**
 * Resolves once the server serves every kind the controllers name; rejects at once, with
 * "did you mean", for a kind with a close match. Meanwhile `waitingFor` says which kind it
 * waits for (for /readyz). Returns early when `signal` aborts.
 */
export async function waitUntilServed(
  client: KubeClient,
  specs: readonly ControllerSpec<ApiObject>[],
  o: { log: Logger; signal: AbortSignal; waitingFor(reason: string): void },
): Promise<void> {
  const named = specs.flatMap((spec) => kindsOf(spec).map((x) => ({ spec: spec.name, ...x })));
  const backoff = backoffFrom({ initialMs: 500, maxMs: 5_000 });
  let said = "";
  while (!o.signal.aborted) {
    const failures = await Promise.all(named.map(({ k }) => unserved(client, k)));
    const missing = named.filter((_, i) => failures[i]);
    for (const [i, why] of failures.entries()) {
      const { spec, at, k } = named[i]!;
      if (why?.suggestion)
        throw new RuntimeError(
          "run",
          `controller ${spec}: ${at}: the server serves no kind ${k.kind} in apiVersion ${k.apiVersion}; ${why.suggestion}`,
        );
    }
    if (!missing.length) return;
    const { spec, at, k } = missing[0]!;
    const reason = `waiting for the server to serve kind ${k.kind} in apiVersion ${k.apiVersion} (controller ${spec}, ${at}): is its CRD installed?`;
    o.waitingFor(reason);
    if (reason !== said) o.log.info({ controller: spec, field: at }, reason);
    said = reason;
    await sleep(backoff.next(), o.signal);
  }
}

/** Undefined when served (or when discovery itself failed: the caches will retry and say). */
async function unserved(
  client: KubeClient,
  k: KindRef,
): Promise<{ suggestion: string } | undefined> {
  try {
    await client.discovery.resolve(k.apiVersion, k.kind);
    return undefined;
  } catch (e) {
    if (!(e instanceof ClientError && e.step === "discovery")) return undefined;
    const suggestions = await client.discovery.suggest(k.apiVersion, k.kind).catch(() => []);
    return { suggestion: didYouMean(suggestions) };
  }
}
