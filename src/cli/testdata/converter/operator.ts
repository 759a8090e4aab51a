// A two-version resource with converters, in a group no other test installs: a server-side
// dry run of its generated base must not meet a CRD of the same name that another test (or
// the local loop) pointed at its own URL.
import { defineOperator, defineResource, z } from "capstan";

export const Dial = defineResource({
  group: "converter.capstan.test",
  kind: "Dial",
  versions: {
    v1alpha1: { spec: z.object({ level: z.number().int() }) },
    v1: { storage: true, spec: z.object({ value: z.number().int() }) },
  },
  convert: {
    v1alpha1: {
      toHub: ({ spec }) => ({ spec: { value: spec.level } }),
      fromHub: ({ spec }) => ({ spec: { level: spec.value } }),
    },
  },
});

export default defineOperator((op) => {
  op.on(Dial).create(({ log }) => log.info("dial created"));
});
