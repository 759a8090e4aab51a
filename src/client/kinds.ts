/**
 * The built-in kinds' types, so `get({ apiVersion: "v1", kind: "ConfigMap", … })` is typed
 * `ConfigMap` without a cast. Any other kind (custom resources) is a plain `KubeObject`
 * unless the caller names its type.
 */
import type {
  ConfigMap,
  Event as CoreEvent,
  Namespace,
  Node,
  Pod,
  Secret,
  Service,
  ServiceAccount,
} from "kubernetes-types/core/v1.js";
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.js";
import type { CronJob, Job } from "kubernetes-types/batch/v1.js";
import type {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from "kubernetes-types/rbac/v1.js";
import type { Lease } from "kubernetes-types/coordination/v1.js";
import type { CustomResourceDefinition } from "kubernetes-types/apiextensions/v1.js";
import type { Event } from "kubernetes-types/events/v1.js";
import type { KubeObject, TypeRef } from "../core/object.js";

export interface KindMap {
  "v1/ConfigMap": ConfigMap;
  "v1/Secret": Secret;
  "v1/Pod": Pod;
  "v1/Service": Service;
  "v1/ServiceAccount": ServiceAccount;
  "v1/Namespace": Namespace;
  "v1/Node": Node;
  "v1/Event": CoreEvent;
  "apps/v1/Deployment": Deployment;
  "apps/v1/ReplicaSet": ReplicaSet;
  "apps/v1/StatefulSet": StatefulSet;
  "apps/v1/DaemonSet": DaemonSet;
  "batch/v1/Job": Job;
  "batch/v1/CronJob": CronJob;
  "rbac.authorization.k8s.io/v1/Role": Role;
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding;
  "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole;
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding;
  "coordination.k8s.io/v1/Lease": Lease;
  "apiextensions.k8s.io/v1/CustomResourceDefinition": CustomResourceDefinition;
  "events.k8s.io/v1/Event": Event;
}

/** The object type for a reference: the built-in type when known, else `KubeObject`. */
export type ObjectOf<R extends TypeRef> = `${R["apiVersion"]}/${R["kind"]}` extends keyof KindMap
  ? KindMap[`${R["apiVersion"]}/${R["kind"]}`]
  : KubeObject;
