// Two versions of one custom resource, with conversion: Bucket v1alpha1 (size in GiB as a
// number, a `public` flag, a `region` that v1 dropped) and v1 (size as a quantity string, an
// `access` mode, and `retentionDays`, new in v1). v1 is stored and is the hub; v1alpha1
// converts to and from it. A field one version lacks is kept in an annotation, so an object
// round-trips through the other version without loss — Kubernetes' own practice.
//
// The operator names Bucket (`op.on(Bucket)`), so it serves Bucket's conversion webhook and,
// in the local loop (`capstan dev`, tests with `webhooks: true`), points the CRD at itself.
import { defineOperator, defineResource, z } from "capstan";

const REGION = "storage.example.com/v1alpha1-region";
const RETENTION = "storage.example.com/v1-retention-days";

export const Bucket = defineResource({
  group: "storage.example.com",
  kind: "Bucket",
  versions: {
    v1alpha1: {
      deprecated: true,
      deprecationWarning: "storage.example.com/v1alpha1 Bucket is deprecated; use v1",
      spec: z.object({
        sizeGi: z.number().int().min(1),
        public: z.boolean().default(false),
        region: z.string().optional(),
      }),
    },
    v1: {
      storage: true,
      spec: z.object({
        size: z.string().regex(/^[1-9][0-9]*Gi$/),
        access: z.enum(["private", "public"]).default("private"),
        retentionDays: z.number().int().min(1).optional(),
      }),
    },
  },
  convert: {
    v1alpha1: {
      toHub: ({ metadata, spec }) => {
        const { [REGION]: _, [RETENTION]: days, ...annotations } = metadata.annotations ?? {};
        if (spec.region !== undefined) annotations[REGION] = spec.region;
        return {
          metadata: { annotations },
          spec: {
            size: `${spec.sizeGi}Gi`,
            access: spec.public ? "public" : "private",
            ...(days !== undefined ? { retentionDays: Number(days) } : {}),
          },
        };
      },
      fromHub: ({ metadata, spec }) => {
        const { [REGION]: region, [RETENTION]: _, ...annotations } = metadata.annotations ?? {};
        if (spec.retentionDays !== undefined) annotations[RETENTION] = String(spec.retentionDays);
        return {
          metadata: { annotations },
          spec: {
            sizeGi: Number.parseInt(spec.size, 10),
            public: spec.access === "public",
            ...(region !== undefined ? { region } : {}),
          },
        };
      },
    },
  },
});

export default defineOperator((op) => {
  op.on(Bucket).create(({ spec, log }) => log.info({ size: spec.size }, "bucket created"));
});
