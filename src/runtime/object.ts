/**
 * The object the runtime works with, as the API server returns it. It sits below the
 * controller and ownership both, which use it: the controller's contract with reconcile
 * functions (controller/reconcile.ts) re-exports it, and ownership/ names it without
 * reaching up into the controller.
 */

/**
 * An object as the API server returns it: `metadata` is always there. (`KubeObject`, from
 * `capstan/client`, is any object, `metadata` optional, as in kubernetes-types.)
 */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  /** Always present on objects from the API server. */
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
    }[];
  };
  status?: unknown;
}
