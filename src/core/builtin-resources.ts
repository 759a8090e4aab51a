/**
 * Resource names of the common built-in kinds, known without asking a cluster: what
 * `capstan generate deploy` needs to turn "the operator watches Pods" into an RBAC rule on
 * `pods` in the core group. Discovery would answer the same, but generating manifests must
 * work offline and give the same output everywhere.
 *
 * Contract: keyed by `apiVersion/kind`; `status` tells whether the kind has a status
 * subresource (the runtime writes status and conditions through it). A kind missing here is
 * not guessed: `builtinResource` returns undefined and callers ask the user to declare it.
 */
import { parseApiVersion } from "./gvk.js";

export interface BuiltinResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  status: boolean;
}

// [apiVersion, kind, plural, namespaced, has a status subresource]
const TABLE: [string, string, string, boolean, boolean][] = [
  ["v1", "ConfigMap", "configmaps", true, false],
  ["v1", "Endpoints", "endpoints", true, false],
  ["v1", "Event", "events", true, false],
  ["v1", "LimitRange", "limitranges", true, false],
  ["v1", "Namespace", "namespaces", false, true],
  ["v1", "Node", "nodes", false, true],
  ["v1", "PersistentVolume", "persistentvolumes", false, true],
  ["v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, true],
  ["v1", "Pod", "pods", true, true],
  ["v1", "PodTemplate", "podtemplates", true, false],
  ["v1", "ReplicationController", "replicationcontrollers", true, true],
  ["v1", "ResourceQuota", "resourcequotas", true, true],
  ["v1", "Secret", "secrets", true, false],
  ["v1", "Service", "services", true, true],
  ["v1", "ServiceAccount", "serviceaccounts", true, false],
  ["apps/v1", "ControllerRevision", "controllerrevisions", true, false],
  ["apps/v1", "DaemonSet", "daemonsets", true, true],
  ["apps/v1", "Deployment", "deployments", true, true],
  ["apps/v1", "ReplicaSet", "replicasets", true, true],
  ["apps/v1", "StatefulSet", "statefulsets", true, true],
  ["batch/v1", "CronJob", "cronjobs", true, true],
  ["batch/v1", "Job", "jobs", true, true],
  ["autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, true],
  ["policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true, true],
  ["coordination.k8s.io/v1", "Lease", "leases", true, false],
  ["events.k8s.io/v1", "Event", "events", true, false],
  ["discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true, false],
  ["networking.k8s.io/v1", "Ingress", "ingresses", true, true],
  ["networking.k8s.io/v1", "IngressClass", "ingressclasses", false, false],
  ["networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", true, false],
  ["rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false, false],
  ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false, false],
  ["rbac.authorization.k8s.io/v1", "Role", "roles", true, false],
  ["rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true, false],
  ["storage.k8s.io/v1", "StorageClass", "storageclasses", false, false],
  ["scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", false, false],
  ["apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false, true],
  [
    "admissionregistration.k8s.io/v1",
    "ValidatingWebhookConfiguration",
    "validatingwebhookconfigurations",
    false,
    false,
  ],
  [
    "admissionregistration.k8s.io/v1",
    "MutatingWebhookConfiguration",
    "mutatingwebhookconfigurations",
    false,
    false,
  ],
];

const BY_KEY = new Map<string, BuiltinResource>(
  TABLE.map(([apiVersion, kind, plural, namespaced, status]) => {
    const { group, version } = parseApiVersion(apiVersion);
    return [`${apiVersion}/${kind}`, { group, version, kind, plural, namespaced, status }];
  }),
);

/** The built-in resource for `apiVersion` + `kind`, or undefined when it is not in the table. */
export function builtinResource(apiVersion: string, kind: string): BuiltinResource | undefined {
  return BY_KEY.get(`${apiVersion}/${kind}`);
}

/** Every kind in the table, as `apiVersion/kind` (for error messages and tests). */
export function builtinResourceKeys(): string[] {
  return [...BY_KEY.keys()];
}
