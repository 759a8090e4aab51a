/**
 * The built-in kinds of Kubernetes, keyed by `apiVersion/kind`, mapped to their types from
 * kubernetes-types (types only, no runtime code). This is what lets
 * `get({ apiVersion: "v1", kind: "ConfigMap", name })` return a `ConfigMap`.
 *
 * Generated from kubernetes-types 1.30.0: every exported interface whose `apiVersion` and
 * `kind` are string literals and whose kind is not a `…List`. Custom resources join the map by
 * declaration merging (see `KindRegistry` in kinds.ts).
 */
import type * as admissionregistration_v1 from "kubernetes-types/admissionregistration/v1.js";
import type * as admissionregistration_v1alpha1 from "kubernetes-types/admissionregistration/v1alpha1.js";
import type * as admissionregistration_v1beta1 from "kubernetes-types/admissionregistration/v1beta1.js";
import type * as apiextensions_v1 from "kubernetes-types/apiextensions/v1.js";
import type * as apiserverinternal_v1alpha1 from "kubernetes-types/apiserverinternal/v1alpha1.js";
import type * as apps_v1 from "kubernetes-types/apps/v1.js";
import type * as authentication_v1 from "kubernetes-types/authentication/v1.js";
import type * as authentication_v1alpha1 from "kubernetes-types/authentication/v1alpha1.js";
import type * as authentication_v1beta1 from "kubernetes-types/authentication/v1beta1.js";
import type * as authorization_v1 from "kubernetes-types/authorization/v1.js";
import type * as autoscaling_v1 from "kubernetes-types/autoscaling/v1.js";
import type * as autoscaling_v2 from "kubernetes-types/autoscaling/v2.js";
import type * as batch_v1 from "kubernetes-types/batch/v1.js";
import type * as certificates_v1 from "kubernetes-types/certificates/v1.js";
import type * as certificates_v1alpha1 from "kubernetes-types/certificates/v1alpha1.js";
import type * as coordination_v1 from "kubernetes-types/coordination/v1.js";
import type * as core_v1 from "kubernetes-types/core/v1.js";
import type * as discovery_v1 from "kubernetes-types/discovery/v1.js";
import type * as events_v1 from "kubernetes-types/events/v1.js";
import type * as flowcontrol_v1 from "kubernetes-types/flowcontrol/v1.js";
import type * as flowcontrol_v1beta3 from "kubernetes-types/flowcontrol/v1beta3.js";
import type * as networking_v1 from "kubernetes-types/networking/v1.js";
import type * as networking_v1alpha1 from "kubernetes-types/networking/v1alpha1.js";
import type * as node_v1 from "kubernetes-types/node/v1.js";
import type * as policy_v1 from "kubernetes-types/policy/v1.js";
import type * as rbac_v1 from "kubernetes-types/rbac/v1.js";
import type * as resource_v1alpha2 from "kubernetes-types/resource/v1alpha2.js";
import type * as scheduling_v1 from "kubernetes-types/scheduling/v1.js";
import type * as storage_v1 from "kubernetes-types/storage/v1.js";
import type * as storage_v1alpha1 from "kubernetes-types/storage/v1alpha1.js";
import type * as storagemigration_v1alpha1 from "kubernetes-types/storagemigration/v1alpha1.js";

export interface BuiltinKinds {
  "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": admissionregistration_v1.MutatingWebhookConfiguration;
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": admissionregistration_v1.ValidatingAdmissionPolicy;
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": admissionregistration_v1.ValidatingAdmissionPolicyBinding;
  "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": admissionregistration_v1.ValidatingWebhookConfiguration;
  "admissionregistration.k8s.io/v1alpha1/ValidatingAdmissionPolicy": admissionregistration_v1alpha1.ValidatingAdmissionPolicy;
  "admissionregistration.k8s.io/v1alpha1/ValidatingAdmissionPolicyBinding": admissionregistration_v1alpha1.ValidatingAdmissionPolicyBinding;
  "admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicy": admissionregistration_v1beta1.ValidatingAdmissionPolicy;
  "admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicyBinding": admissionregistration_v1beta1.ValidatingAdmissionPolicyBinding;
  "apiextensions.k8s.io/v1/CustomResourceDefinition": apiextensions_v1.CustomResourceDefinition;
  "internal.apiserver.k8s.io/v1alpha1/StorageVersion": apiserverinternal_v1alpha1.StorageVersion;
  "apps/v1/ControllerRevision": apps_v1.ControllerRevision;
  "apps/v1/DaemonSet": apps_v1.DaemonSet;
  "apps/v1/Deployment": apps_v1.Deployment;
  "apps/v1/ReplicaSet": apps_v1.ReplicaSet;
  "apps/v1/StatefulSet": apps_v1.StatefulSet;
  "authentication.k8s.io/v1/SelfSubjectReview": authentication_v1.SelfSubjectReview;
  "authentication.k8s.io/v1/TokenRequest": authentication_v1.TokenRequest;
  "authentication.k8s.io/v1/TokenReview": authentication_v1.TokenReview;
  "authentication.k8s.io/v1alpha1/SelfSubjectReview": authentication_v1alpha1.SelfSubjectReview;
  "authentication.k8s.io/v1beta1/SelfSubjectReview": authentication_v1beta1.SelfSubjectReview;
  "authorization.k8s.io/v1/LocalSubjectAccessReview": authorization_v1.LocalSubjectAccessReview;
  "authorization.k8s.io/v1/SelfSubjectAccessReview": authorization_v1.SelfSubjectAccessReview;
  "authorization.k8s.io/v1/SelfSubjectRulesReview": authorization_v1.SelfSubjectRulesReview;
  "authorization.k8s.io/v1/SubjectAccessReview": authorization_v1.SubjectAccessReview;
  "autoscaling/v1/HorizontalPodAutoscaler": autoscaling_v1.HorizontalPodAutoscaler;
  "autoscaling/v1/Scale": autoscaling_v1.Scale;
  "autoscaling/v2/HorizontalPodAutoscaler": autoscaling_v2.HorizontalPodAutoscaler;
  "batch/v1/CronJob": batch_v1.CronJob;
  "batch/v1/Job": batch_v1.Job;
  "certificates.k8s.io/v1/CertificateSigningRequest": certificates_v1.CertificateSigningRequest;
  "certificates.k8s.io/v1alpha1/ClusterTrustBundle": certificates_v1alpha1.ClusterTrustBundle;
  "coordination.k8s.io/v1/Lease": coordination_v1.Lease;
  "v1/Binding": core_v1.Binding;
  "v1/ComponentStatus": core_v1.ComponentStatus;
  "v1/ConfigMap": core_v1.ConfigMap;
  "v1/Endpoints": core_v1.Endpoints;
  "v1/Event": core_v1.Event;
  "v1/LimitRange": core_v1.LimitRange;
  "v1/Namespace": core_v1.Namespace;
  "v1/Node": core_v1.Node;
  "v1/PersistentVolume": core_v1.PersistentVolume;
  "v1/PersistentVolumeClaim": core_v1.PersistentVolumeClaim;
  "v1/Pod": core_v1.Pod;
  "v1/PodTemplate": core_v1.PodTemplate;
  "v1/ReplicationController": core_v1.ReplicationController;
  "v1/ResourceQuota": core_v1.ResourceQuota;
  "v1/Secret": core_v1.Secret;
  "v1/Service": core_v1.Service;
  "v1/ServiceAccount": core_v1.ServiceAccount;
  "discovery.k8s.io/v1/EndpointSlice": discovery_v1.EndpointSlice;
  "events.k8s.io/v1/Event": events_v1.Event;
  "flowcontrol.apiserver.k8s.io/v1/FlowSchema": flowcontrol_v1.FlowSchema;
  "flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration": flowcontrol_v1.PriorityLevelConfiguration;
  "flowcontrol.apiserver.k8s.io/v1beta3/FlowSchema": flowcontrol_v1beta3.FlowSchema;
  "flowcontrol.apiserver.k8s.io/v1beta3/PriorityLevelConfiguration": flowcontrol_v1beta3.PriorityLevelConfiguration;
  "networking.k8s.io/v1/Ingress": networking_v1.Ingress;
  "networking.k8s.io/v1/IngressClass": networking_v1.IngressClass;
  "networking.k8s.io/v1/NetworkPolicy": networking_v1.NetworkPolicy;
  "networking.k8s.io/v1alpha1/IPAddress": networking_v1alpha1.IPAddress;
  "networking.k8s.io/v1alpha1/ServiceCIDR": networking_v1alpha1.ServiceCIDR;
  "node.k8s.io/v1/RuntimeClass": node_v1.RuntimeClass;
  "policy/v1/Eviction": policy_v1.Eviction;
  "policy/v1/PodDisruptionBudget": policy_v1.PodDisruptionBudget;
  "rbac.authorization.k8s.io/v1/ClusterRole": rbac_v1.ClusterRole;
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": rbac_v1.ClusterRoleBinding;
  "rbac.authorization.k8s.io/v1/Role": rbac_v1.Role;
  "rbac.authorization.k8s.io/v1/RoleBinding": rbac_v1.RoleBinding;
  "resource.k8s.io/v1alpha2/PodSchedulingContext": resource_v1alpha2.PodSchedulingContext;
  "resource.k8s.io/v1alpha2/ResourceClaim": resource_v1alpha2.ResourceClaim;
  "resource.k8s.io/v1alpha2/ResourceClaimParameters": resource_v1alpha2.ResourceClaimParameters;
  "resource.k8s.io/v1alpha2/ResourceClaimTemplate": resource_v1alpha2.ResourceClaimTemplate;
  "resource.k8s.io/v1alpha2/ResourceClass": resource_v1alpha2.ResourceClass;
  "resource.k8s.io/v1alpha2/ResourceClassParameters": resource_v1alpha2.ResourceClassParameters;
  "resource.k8s.io/v1alpha2/ResourceSlice": resource_v1alpha2.ResourceSlice;
  "scheduling.k8s.io/v1/PriorityClass": scheduling_v1.PriorityClass;
  "storage.k8s.io/v1/CSIDriver": storage_v1.CSIDriver;
  "storage.k8s.io/v1/CSINode": storage_v1.CSINode;
  "storage.k8s.io/v1/CSIStorageCapacity": storage_v1.CSIStorageCapacity;
  "storage.k8s.io/v1/StorageClass": storage_v1.StorageClass;
  "storage.k8s.io/v1/VolumeAttachment": storage_v1.VolumeAttachment;
  "storage.k8s.io/v1alpha1/VolumeAttributesClass": storage_v1alpha1.VolumeAttributesClass;
  "storagemigration.k8s.io/v1alpha1/StorageVersionMigration": storagemigration_v1alpha1.StorageVersionMigration;
}
