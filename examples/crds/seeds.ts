/**
 * The CRDs and objects of the seed documents, verbatim (YAML text as the slides show it), so the
 * examples can be compared with what the seeds' authors wrote by hand or generated.
 */

/** shared/seeds/000: MongoUserResource as kubecrd generated it. */
export const mongoUserSeedCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: mongouserresources.mkramb.com
spec:
  group: mkramb.com
  names:
    kind: MongoUserResource
    plural: mongouserresources
    singular: mongouserresource
  scope: Namespaced
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                password:
                  type: string
                roles:
                  default: []
                  description: List of User roles
                  items:
                    type: string
                  type: array
                  uniqueItems: false
                username:
                  type: string
              required:
                - username
                - password
              type: object
            type: object
          served: true
          storage: true
`;

/** shared/seeds/000: the example MongoUserResource. */
export const mongoUserSeedObject = {
  apiVersion: "mkramb.com/v1",
  kind: "MongoUserResource",
  metadata: { name: "mongouserresource123" },
  spec: { username: "testuser", password: "secret-password", roles: ["read", "readWrite"] },
};

/** shared/seeds/004: the Nuvolaris Sample CRD (its two slides joined). */
export const sampleSeedCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: samples.nuvolaris.org
spec:
  scope: Namespaced
  group: nuvolaris.org
  names:
    kind: Sample
    plural: samples
    singular: sample
    shortNames:
      - sam
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: { } }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              x-kubernetes-preserve-unknown-fields: true
            status:
              type: object
              x-kubernetes-preserve-unknown-fields: true
`;

/** shared/seeds/004: the example Sample. */
export const sampleSeedObject = {
  apiVersion: "nuvolaris.org/v1",
  kind: "Sample",
  metadata: { name: "obj" },
  spec: { count: 2 },
};
