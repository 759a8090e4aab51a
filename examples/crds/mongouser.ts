/**
 * The seed's MongoUserResource (mkramb.com, written with kubecrd from a Python dataclass),
 * defined once in TypeScript. In an application: `import { defineResource, z } from "capstan"`.
 */
import { defineResource, z } from "capstan";

export const MongoUserResource = defineResource({
  group: "mkramb.com",
  kind: "MongoUserResource",
  version: "v1",
  spec: z.object({
    username: z.string(),
    password: z.string(),
    roles: z.array(z.string()).default([]).describe("List of User roles"),
  }),
});

/** The type of a MongoUserResource read from the cluster: `spec.roles` is always there. */
export type MongoUserResourceObject = typeof MongoUserResource.$object;
