/**
 * The objects of a generated deployment, as plain data (deploy.ts writes them as YAML):
 * Namespace, ServiceAccount, the derived RBAC as ClusterRole/Role + bindings, and the
 * Deployment; and the warning an all-namespaces deployment carries. Pure: the same spec and
 * plan always give the same objects.
 *
 * The namespaces the Deployment's `capstan run` watches (`-n …` or `-A`) are those the RBAC
 * was derived for (`DeploySpec.watch`), so the operator never needs more than it is granted.
 *
 * The Deployment runs `capstan run <module>` with leader election, health on a named port
 * (`/healthz`, `/readyz`, `/metrics`), the webhook server's port when it has admission
 * handlers (its /readyz then waits for that server), non-root with a read-only root filesystem, no
 * privilege escalation and no capabilities; `/tmp` is an emptyDir because tsx caches
 * compiled TypeScript there.
 */
import type { PolicyRule, RbacPlan } from "./rbac.js";

export interface DeploySpec {
  /** Base name of every object (`printer-operator`). */
  name: string;
  /** The operator's own namespace. */
  namespace: string;
  image: string;
  replicas: number;
  /** The module's path inside the image, relative to its working directory. */
  module: string;
  /** Watched namespaces (Roles there), or every namespace (a ClusterRole), said explicitly. */
  watch: string[] | "all";
  installCrds: boolean;
  healthPort: number;
  /**
   * The operator has admission handlers or conversions: every replica serves them
   * (deploy-webhooks.ts); `configuration` only with admission handlers.
   */
  webhooks?: { port: number; service: string; secret: string; configuration?: string };
}

type Obj = Record<string, unknown>;
const RBAC = "rbac.authorization.k8s.io";

export const labelsOf = (s: DeploySpec) => ({
  "app.kubernetes.io/name": s.name,
  "app.kubernetes.io/managed-by": "capstan",
});

export function namespaceObject(s: DeploySpec): Obj {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: s.namespace,
      labels: {
        ...labelsOf(s),
        // The operator's Pods meet the restricted Pod Security Standard; enforce it.
        "pod-security.kubernetes.io/enforce": "restricted",
      },
    },
  };
}

export function serviceAccountObject(s: DeploySpec): Obj {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: s.name, namespace: s.namespace, labels: labelsOf(s) },
  };
}

/** ClusterRole + ClusterRoleBinding when there are cluster rules, a Role + RoleBinding per namespace. */
export function rbacObjects(s: DeploySpec, plan: RbacPlan): Obj[] {
  const subject = { kind: "ServiceAccount", name: s.name, namespace: s.namespace };
  const rules = (rs: PolicyRule[]) => rs.map((r) => ({ ...r }));
  const out: Obj[] = [];
  if (plan.cluster.length) {
    out.push(
      {
        apiVersion: `${RBAC}/v1`,
        kind: "ClusterRole",
        metadata: { name: s.name, labels: labelsOf(s) },
        rules: rules(plan.cluster),
      },
      {
        apiVersion: `${RBAC}/v1`,
        kind: "ClusterRoleBinding",
        metadata: { name: s.name, labels: labelsOf(s) },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: s.name },
        subjects: [subject],
      },
    );
  }
  for (const [ns, rs] of Object.entries(plan.namespaced)) {
    out.push(
      {
        apiVersion: `${RBAC}/v1`,
        kind: "Role",
        metadata: { name: s.name, namespace: ns, labels: labelsOf(s) },
        rules: rules(rs),
      },
      {
        apiVersion: `${RBAC}/v1`,
        kind: "RoleBinding",
        metadata: { name: s.name, namespace: ns, labels: labelsOf(s) },
        roleRef: { apiGroup: RBAC, kind: "Role", name: s.name },
        subjects: [subject],
      },
    );
  }
  return out;
}

/**
 * What `generate deploy` prints and writes above the ClusterRole when it lets the operator
 * read namespaced kinds in every namespace (only an all-namespaces deployment does).
 */
export function clusterWideWarning(s: DeploySpec, plan: RbacPlan): string | undefined {
  const reads = plan.clusterWideReads;
  if (!reads.length) return undefined;
  const secrets = reads.includes("secrets");
  const named = secrets ? ["secrets", ...reads.filter((r) => r !== "secrets")] : reads;
  return (
    `ServiceAccount ${s.namespace}/${s.name} can read ${named.join(", ")} in every namespace, ` +
    `kube-system included (ClusterRole ${s.name}, from --all-namespaces)` +
    (secrets ? ": every Secret's value in the cluster" : "") +
    `. --watch-namespace <ns,...> limits it to Roles in those namespaces.`
  );
}

/** The arguments after the image's entrypoint (`capstan`). */
export function runArgs(s: DeploySpec): string[] {
  return [
    "run",
    s.module,
    "--leader-elect",
    "--health-port",
    String(s.healthPort),
    ...(s.watch === "all" ? ["-A"] : s.watch.flatMap((ns) => ["-n", ns])),
    ...(s.installCrds ? ["--install-crds"] : []),
    ...(s.webhooks
      ? [
          ...["--webhook-port", String(s.webhooks.port)],
          ...["--webhook-service", s.webhooks.service],
          ...["--webhook-secret", s.webhooks.secret],
          ...(s.webhooks.configuration
            ? ["--webhook-configuration", s.webhooks.configuration]
            : []),
        ]
      : []),
  ];
}

export function deploymentObject(s: DeploySpec): Obj {
  const selector = { "app.kubernetes.io/name": s.name };
  const fieldEnv = (name: string, fieldPath: string) => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: s.name, namespace: s.namespace, labels: labelsOf(s) },
    spec: {
      replicas: s.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: labelsOf(s),
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(s.healthPort),
            "prometheus.io/path": "/metrics",
          },
        },
        spec: {
          serviceAccountName: s.name,
          // Long enough for in-flight reconciles to drain and the Lease to be released.
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "operator",
              image: s.image,
              imagePullPolicy: "IfNotPresent",
              args: runArgs(s),
              env: [
                fieldEnv("POD_NAME", "metadata.name"),
                fieldEnv("POD_NAMESPACE", "metadata.namespace"),
              ],
              ports: [
                { name: "http-health", containerPort: s.healthPort, protocol: "TCP" },
                ...(s.webhooks
                  ? [{ name: "https-webhook", containerPort: s.webhooks.port, protocol: "TCP" }]
                  : []),
              ],
              livenessProbe: {
                httpGet: { path: "/healthz", port: "http-health" },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              // /readyz is cheap (no API call); probing often makes a started or rolled
              // Pod Ready, and its predecessor stopped, seconds sooner.
              readinessProbe: {
                httpGet: { path: "/readyz", port: "http-health" },
                periodSeconds: 2,
                failureThreshold: 3,
              },
              // No CPU limit: throttling a watch loop only delays it; memory is bounded.
              resources: {
                requests: { cpu: "50m", memory: "128Mi" },
                limits: { memory: "512Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

/** `name:tag` (or `name@digest`) → the parts kustomize's `images:` transformer matches. */
export function splitImage(image: string): { name: string; tag?: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { name: image.slice(0, at) };
  const colon = image.lastIndexOf(":");
  return colon > image.lastIndexOf("/")
    ? { name: image.slice(0, colon), tag: image.slice(colon + 1) }
    : { name: image };
}

export function baseKustomization(files: string[]): Obj {
  return {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: files,
  };
}

/** An overlay to copy: two replicas (leader election keeps one active) and a pinned image. */
export function exampleOverlay(s: DeploySpec, tag: string): Obj {
  return {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: ["../../base"],
    replicas: [{ name: s.name, count: 2 }],
    images: [{ name: splitImage(s.image).name, newTag: tag }],
  };
}
