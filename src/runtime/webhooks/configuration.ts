/**
 * The Validating- and MutatingWebhookConfiguration of an operator, built from its admission
 * handlers: one webhook per kind and mode, with the safe defaults the API server does not
 * have — a 5 s timeout, `sideEffects: None`, `failurePolicy` per mode (admission.ts), and a
 * namespace selector that leaves out the operator's own namespace and kube-system, so an
 * operator that is down can never block itself or the cluster's system Pods. An operator
 * that watches only some namespaces gets webhooks for those namespaces only.
 *
 * Pure: `generate deploy` can emit the same objects with a Service in `clientConfig`.
 */
import type { Admission } from "./admission.js";
import { validatingOf } from "./admission.js";

export interface Target {
  admission: Admission<unknown>;
  /** The plural resource name (`memcacheds`), from discovery or the definition. */
  resource: string;
}

export type ClientConfig =
  { url: string } | { service: { namespace: string; name: string; port: number } };

export interface ConfigurationOptions {
  /** The configurations' name (both kinds have one). */
  name: string;
  /** Where the API server sends reviews: a URL (local) or a Service (in a cluster). */
  client: ClientConfig;
  /** PEM of every trusted CA. */
  caBundle: string;
  /** Namespaces never sent to the webhooks (the operator's own, at least). */
  exclude: string[];
  /** Only these namespaces are sent (default: all others). */
  only?: string[];
  /** The operator the configurations belong to, recorded as the `OWNER` annotation. */
  owner?: string;
}

export interface WebhookConfiguration {
  apiVersion: "admissionregistration.k8s.io/v1";
  kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration";
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  webhooks: Record<string, unknown>[];
}

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "capstan" };
/**
 * The operator a configuration belongs to. An annotation, not a label: an operator's name
 * may be longer than a label value allows. Two operators of the same name still clash;
 * the label alone would let any capstan operator take over another's configuration.
 */
export const OWNER = "capstan.dev/operator";

/** The path a kind's reviews are posted to, e.g. `/validate/example.com/v1/memcacheds`. */
export function webhookPath(mode: "validate" | "mutate", apiVersion: string, resource: string) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  return `/${mode}/${group}/${version}/${resource}`;
}

export function configurations(targets: Target[], o: ConfigurationOptions): WebhookConfiguration[] {
  const caBundle = Buffer.from(o.caBundle).toString("base64");
  const namespaceSelector = {
    matchExpressions: [
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: [...new Set([...o.exclude, "kube-system"])],
      },
      ...(o.only?.length
        ? [{ key: "kubernetes.io/metadata.name", operator: "In", values: o.only }]
        : []),
    ],
  };
  const webhook = (
    mode: "validate" | "mutate",
    t: Target,
    operations: string[],
    opts: { failurePolicy?: string; timeoutSeconds?: number },
  ) => {
    const { apiVersion } = t.admission.kind;
    const [group = "", version] = apiVersion.includes("/")
      ? apiVersion.split("/")
      : ["", apiVersion];
    const path = webhookPath(mode, apiVersion, t.resource);
    return {
      name: `${mode}.${t.resource}.${group || "core"}${group.includes(".") ? "" : ".k8s.io"}`,
      admissionReviewVersions: ["v1"],
      sideEffects: "None",
      timeoutSeconds: opts.timeoutSeconds ?? 5,
      failurePolicy: opts.failurePolicy ?? (mode === "validate" ? "Fail" : "Ignore"),
      matchPolicy: "Equivalent",
      clientConfig:
        "url" in o.client
          ? { url: `${o.client.url}${path}`, caBundle }
          : { service: { ...o.client.service, path }, caBundle },
      rules: [
        {
          apiGroups: [group],
          apiVersions: [version],
          resources: [t.resource],
          operations,
          scope: "*",
        },
      ],
      namespaceSelector,
      ...(mode === "mutate" ? { reinvocationPolicy: "Never" } : {}),
    };
  };
  const validating = targets.flatMap((t) => {
    const v = validatingOf(t.admission);
    return v ? [webhook("validate", t, v.operations, v.options)] : [];
  });
  const mutating = targets.flatMap((t) =>
    t.admission.mutators.map((m) => webhook("mutate", t, ["CREATE", "UPDATE"], m.options)),
  );
  const config = (kind: WebhookConfiguration["kind"], webhooks: Record<string, unknown>[]) => ({
    apiVersion: "admissionregistration.k8s.io/v1" as const,
    kind,
    metadata: {
      name: o.name,
      labels: { ...MANAGED_BY },
      ...(o.owner ? { annotations: { [OWNER]: o.owner } } : {}),
    },
    webhooks,
  });
  return [
    ...(validating.length ? [config("ValidatingWebhookConfiguration", validating)] : []),
    ...(mutating.length ? [config("MutatingWebhookConfiguration", mutating)] : []),
  ];
}
