// A kind whose status schema has no `conditions` loses the Reconciled/Conflict conditions
// silently on the server; the operator must say so, once, with the fix.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defineResource, z } from "../../core/crd/index.js";
import { eventually, operatorFixture } from "../../testing/index.js";
import { defineOperator, PermanentError } from "../index.js";

const Strict = defineResource({
  group: "pruned.capstan.test",
  kind: "Strict",
  version: "v1",
  spec: z.object({ size: z.number().int() }),
  status: z.object({ size: z.number().int().optional() }),
});

test("a status schema that drops conditions is named once in a warning with the fix", async () => {
  const def = defineOperator((op) => {
    op.controller({
      name: "strict",
      for: Strict,
      async reconcile(s) {
        throw new PermanentError(`never for ${s.metadata.name}`);
      },
    });
  });
  const f = await operatorFixture(def, {
    crds: [Strict],
    spaces: ["p"],
    prefix: "pruned",
    captureLogs: true,
  });
  try {
    for (const name of ["a", "b"])
      await f.kube.create({
        ...Strict.typeRef,
        metadata: { name, namespace: f.ns.p },
        spec: { size: 1 },
      });
    const warned = () => f.op.logs().filter((l) => /drops status\.conditions/.test(l));
    await eventually(async () => assert.equal(f.op.operator.controllers[0]!.stats.errors, 2));
    await f.op.idle();
    assert.equal(warned().length, 1, f.op.logs().join("\n"));
    assert.match(warned()[0]!, /Strict status schema .* add `conditions: k8s\.conditions\(\)`/);
  } finally {
    await f.dispose();
  }
});
