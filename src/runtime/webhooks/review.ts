/**
 * One AdmissionReview (admission.k8s.io/v1) in, one out: runs a kind's validate or mutate
 * handler and builds the response. Pure apart from the handler itself, so it is tested
 * without a server.
 *
 * A denial with a field becomes a 422 `Invalid` status whose message starts with the field
 * (kubectl prints only the message) and whose `details.causes` carry it for clients (the
 * client's `InvalidError.causes`). A handler that throws denies the request with a 500
 * naming the object and the handler: the API server's `failurePolicy` covers only a webhook
 * it cannot reach, so an exception must not silently allow.
 *
 * A kind's whole schema (`validation: "webhook"`) is checked first, every problem a cause. An
 * update that leaves `spec` as it was is not checked: an object stored before a rule existed
 * must still take label and finalizer changes (else, with a finalizer, it could never go).
 */
import { isDeepStrictEqual } from "node:util";
import { describe } from "../../core/object.js";
import type { Admission, Denial, Operation, RequestInfo } from "./admission.js";
import { diff } from "./jsonpatch.js";

export interface AdmissionReview {
  apiVersion: string;
  kind: "AdmissionReview";
  request?: {
    uid: string;
    kind: { group: string; version: string; kind: string };
    operation: Operation | "CONNECT";
    namespace?: string;
    name?: string;
    object?: unknown;
    oldObject?: unknown;
    dryRun?: boolean;
    userInfo?: { username?: string; groups?: string[] };
  };
  response?: AdmissionResponse;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: {
    code: number;
    message: string;
    reason?: string;
    details?: {
      name?: string;
      group?: string;
      kind?: string;
      causes: { type: string; field: string; message: string }[];
    };
  };
  patchType?: "JSONPatch";
  patch?: string;
  warnings?: string[];
}

type Obj = { metadata?: { name?: string; namespace?: string } };

export async function review(
  body: AdmissionReview,
  admission: Admission<unknown>,
  mode: "validate" | "mutate",
): Promise<AdmissionReview> {
  const req = body.request;
  if (!req) throw new Error("an AdmissionReview without a request");
  const warnings: string[] = [];
  const info: RequestInfo = {
    uid: req.uid,
    operation: req.operation as Operation,
    namespace: req.namespace,
    name: req.name,
    dryRun: req.dryRun ?? false,
    userInfo: req.userInfo ?? {},
  };
  const common = { request: info, warn: (t: string) => void warnings.push(t) };
  const subject = (req.object ?? req.oldObject) as Obj | undefined;
  const what = describe({
    kind: req.kind.kind,
    namespace: req.namespace,
    name: req.name || subject?.metadata?.name,
  });
  const answer = (r: Omit<AdmissionResponse, "uid">): AdmissionReview => ({
    apiVersion: body.apiVersion,
    kind: "AdmissionReview",
    response: { uid: req.uid, ...r, ...(warnings.length ? { warnings } : {}) },
  });
  try {
    if (mode === "mutate") {
      const m = admission.mutators[0];
      if (!m || (req.operation !== "CREATE" && req.operation !== "UPDATE"))
        return answer({ allowed: true });
      const object = structuredClone(req.object);
      const returned = await m.handler({
        ...common,
        operation: req.operation,
        object,
        old: req.oldObject ?? undefined,
      });
      const ops = diff(req.object, returned ?? object);
      if (!ops.length) return answer({ allowed: true });
      const patch = Buffer.from(JSON.stringify(ops)).toString("base64");
      return answer({ allowed: true, patchType: "JSONPatch", patch });
    }
    const name = req.name || subject?.metadata?.name;
    const problems =
      admission.schema &&
      (req.operation === "CREATE" ||
        (req.operation === "UPDATE" &&
          !isDeepStrictEqual(specOf(req.object), specOf(req.oldObject))))
        ? admission.schema(req.object)
        : [];
    if (problems.length)
      return answer({
        allowed: false,
        status: invalid(
          problems.map((p) => ({ field: p.path, message: p.message })),
          req.kind,
          name,
        ),
      });
    const h = admission.validators[0]?.handlers;
    let verdict: void | Denial = undefined;
    if (req.operation === "CREATE" && h?.create)
      verdict = await h.create({ ...common, object: req.object });
    else if (req.operation === "UPDATE" && h?.update)
      verdict = await h.update({ ...common, object: req.object, old: req.oldObject });
    else if (req.operation === "DELETE" && h?.delete)
      verdict = await h.delete({ ...common, old: req.oldObject });
    if (!verdict?.denied) return answer({ allowed: true });
    const { field, message } = verdict;
    return answer({
      allowed: false,
      status: field
        ? invalid([{ field, message }], req.kind, name)
        : { code: 403, message, reason: "Forbidden" },
    });
  } catch (e) {
    const message = `${mode} ${req.operation.toLowerCase()} ${what}: the handler failed: ${
      e instanceof Error ? e.message : String(e)
    }`;
    return answer({ allowed: false, status: { code: 500, message, reason: "InternalError" } });
  }
}

const specOf = (o: unknown) => (o as { spec?: unknown } | undefined)?.spec;

/**
 * kubectl prints an `Invalid` status as `The Kind "name" is invalid: field: message`; the
 * API server writes several causes as `[a: …, b: …]`, and so does this.
 */
function invalid(
  causes: { field: string; message: string }[],
  kind: { group: string; kind: string },
  name: string | undefined,
): NonNullable<AdmissionResponse["status"]> {
  const each = causes.map((c) => `${c.field}: ${c.message}`);
  return {
    code: 422,
    message: each.length === 1 ? each[0]! : `[${each.join(", ")}]`,
    reason: "Invalid",
    details: {
      ...(name ? { name } : {}),
      group: kind.group,
      kind: kind.kind,
      causes: causes.map((c) => ({ type: "FieldValueInvalid", ...c })),
    },
  };
}
