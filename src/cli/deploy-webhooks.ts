/**
 * What `generate deploy` adds for an operator with admission handlers (`op.admission`) or
 * conversion webhooks (a resource with converters it names), as plain data (deploy.ts
 * writes it as base/webhooks.yaml):
 *
 * - the Validating/MutatingWebhookConfigurations, built by configuration.ts with its safe
 *   defaults, `clientConfig.service` pointing at the Service below, the operator's own
 *   namespace excluded and, unless it watches every namespace, only its namespaces sent.
 *   `caBundle` is left out: the operator writes it (ca-bundle.ts), and applying the manifests
 *   again then never takes it away;
 * - a Service on port 443 that selects every replica (every replica serves webhooks, not
 *   only the leader), to the container's named port `https-webhook`;
 * - the certificate Secret, empty and labelled as Capstan's: the operator fills and rotates
 *   it (secret-store.ts), so it needs no `create` on Secrets;
 * - least-privilege RBAC: get/update/patch on exactly those configurations, get/patch on
 *   exactly the CRDs it converts (to keep their `caBundle` current) and get/watch/update/
 *   patch on exactly that Secret (`resourceNames`).
 *
 * The CRDs it converts point at the same Service (`conversionClientOf`), at their path.
 */
import { withConversionClient, type CustomResourceDefinition } from "../core/crd/index.js";
import { configurations, type Target } from "../runtime/webhooks/configuration.js";
import type { Admission } from "../runtime/webhooks/admission.js";
import { isConvertible, type ConvertibleResource } from "../runtime/webhooks/conversion.js";
import type { KindRef } from "../runtime/kind.js";
import type { DeploySpec } from "./deploy-manifests.js";
import { labelsOf } from "./deploy-manifests.js";
import type { KindResolver } from "./rbac.js";

type Obj = Record<string, unknown>;
const RBAC = "rbac.authorization.k8s.io";

/** The container port the webhook server listens on (the Service's 443 goes there). */
export const WEBHOOK_PORT = 9443;

/** The names generate deploy gives the webhook objects of a deployment `name`. */
export function webhookNames(name: string) {
  return { configuration: name, service: `${name}-webhook`, secret: `${name}-webhook-certs` };
}

/**
 * The module's resources with converters that the operator serves: those a controller or
 * handler set is `for`, or that have admission handlers (as the operator decides at run time).
 */
export function servedConversions(
  resources: readonly unknown[],
  named: readonly KindRef[],
): ConvertibleResource[] {
  const key = (group: string, kind: string) => `${kind}.${group}`;
  const keys = new Set(
    named.map((k) => key(k.apiVersion.split("/").slice(0, -1).join("/"), k.kind)),
  );
  return resources.filter(isConvertible).filter((r) => keys.has(key(r.group, r.kind)));
}

/** `crd` with its conversion webhook sent to the deployment's Service, when it has one. */
export function conversionClientOf(
  s: DeploySpec,
  crd: CustomResourceDefinition,
): CustomResourceDefinition {
  const service = { namespace: s.namespace, name: webhookNames(s.name).service, port: 443 };
  return withConversionClient(crd, { service });
}

/**
 * The objects of base/webhooks.yaml; empty when the operator has neither admission handlers
 * nor conversions (`conversions`: the names of the CRDs it converts).
 */
export function webhookObjects(
  s: DeploySpec,
  admissions: readonly Admission<unknown>[],
  resolve: KindResolver,
  conversions: readonly string[] = [],
): Obj[] {
  if (!admissions.length && !conversions.length) return [];
  const n = webhookNames(s.name);
  const targets: Target[] = admissions.map((a) => ({
    admission: a,
    resource: resolve(a.kind, `the admission handlers of ${a.kind.kind}`).plural,
  }));
  const configs = !targets.length
    ? []
    : configurations(targets, {
        name: n.configuration,
        client: { service: { namespace: s.namespace, name: n.service, port: 443 } },
        caBundle: "",
        exclude: [s.namespace],
        only: s.watch === "all" ? undefined : s.watch,
      }).map((c) => ({
        ...c,
        metadata: { ...c.metadata, labels: { ...labelsOf(s), ...c.metadata.labels } },
        webhooks: c.webhooks.map((w) => {
          const { caBundle: _, ...clientConfig } = w.clientConfig as Obj;
          return { ...w, clientConfig };
        }),
      }));
  const labels = labelsOf(s);
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: n.service, namespace: s.namespace, labels },
    spec: {
      selector: { "app.kubernetes.io/name": s.name },
      ports: [{ name: "https", port: 443, targetPort: "https-webhook", protocol: "TCP" }],
    },
  };
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: n.secret, namespace: s.namespace, labels },
    type: "Opaque",
  };
  const subject = { kind: "ServiceAccount", name: s.name, namespace: s.namespace };
  const roleName = `${s.name}-webhooks`;
  const rbac = [
    {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRole",
      metadata: { name: roleName, labels },
      rules: [
        ...(configs.length
          ? [
              {
                apiGroups: ["admissionregistration.k8s.io"],
                // Both kinds even when it has one: the operator looks both up by name
                // (ca-bundle.ts), and a denied get fails where a missing one is skipped.
                resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
                resourceNames: [n.configuration],
                verbs: ["get", "update", "patch"],
              },
            ]
          : []),
        ...(conversions.length
          ? [
              {
                apiGroups: ["apiextensions.k8s.io"],
                resources: ["customresourcedefinitions"],
                resourceNames: [...conversions].sort(),
                verbs: ["get", "patch"],
              },
            ]
          : []),
      ],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: roleName, labels },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: roleName },
      subjects: [subject],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: "Role",
      metadata: { name: roleName, namespace: s.namespace, labels },
      rules: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [n.secret],
          verbs: ["get", "watch", "update", "patch"],
        },
      ],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: "RoleBinding",
      metadata: { name: roleName, namespace: s.namespace, labels },
      roleRef: { apiGroup: RBAC, kind: "Role", name: roleName },
      subjects: [subject],
    },
  ];
  return [...configs, service, secret, ...rbac];
}
