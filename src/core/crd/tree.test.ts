// Schema mistakes that TypeScript would catch but tsx (no type check) or plain JavaScript lets
// through: defineResource refuses them at once, naming the resource and the field, instead of
// a TypeError from deep inside the CRD conversion on first use.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defineResource, z } from "./index.js";

type Loose = Parameters<typeof defineResource>[0];
const define = (fields: Record<string, unknown>) =>
  defineResource({
    group: "cache.example.com",
    kind: "Memcached",
    version: "v1",
    ...fields,
  } as unknown as Loose);

/** A value tsx or JavaScript lets through where a schema belongs. */
const notSchema = (value: unknown) => value as z.ZodType;

const refuses = (fields: Record<string, unknown>, message: RegExp) =>
  assert.throws(
    () => define(fields),
    (e: unknown) => {
      assert.ok(e instanceof TypeError, String(e));
      assert.match(e.message, message);
      return true;
    },
  );

test("a plain object as spec is refused, naming the resource and spec, with the fix", () => {
  refuses(
    { spec: { size: z.number() } },
    /^defineResource\(Memcached\): spec is a plain object, not a zod schema: wrap plain objects in z\.object\(\{ … \}\)$/,
  );
});

test("a plain object nested in z.object is refused with its field path", () => {
  refuses(
    { spec: z.object({ memory: { limit: z.number() } }) },
    /^defineResource\(Memcached\): spec\.memory is a plain object, not a zod schema/,
  );
});

test("a value that is not a schema at all is refused with what it is", () => {
  refuses(
    { spec: z.object({ size: 3 }) },
    /^defineResource\(Memcached\): spec\.size is 3, not a zod schema$/,
  );
  refuses(
    { spec: z.object({ size: "number" }) },
    /^defineResource\(Memcached\): spec\.size is "number", not a zod schema$/,
  );
});

test("mistakes inside lists, optionals and unions are found, with the item path", () => {
  refuses(
    { spec: z.object({ servers: z.array(notSchema({ host: z.string() })).optional() }) },
    /spec\.servers\[\*\] is a plain object/,
  );
  refuses(
    { spec: z.object({ mode: z.union([z.literal("a"), notSchema({ b: z.string() })]) }) },
    /spec\.mode is a plain object/,
  );
});

test("a plain object as status is refused naming status", () => {
  refuses(
    { spec: z.object({}), status: { ready: z.boolean() } },
    /^defineResource\(Memcached\): status is a plain object/,
  );
});

test("a missing spec is refused", () => {
  refuses(
    {},
    /^defineResource\(Memcached\): spec is missing: give a zod schema, e\.g\. z\.object\(\{ … \}\)$/,
  );
});

test("a zod 3 schema is refused with the version Capstan needs", () => {
  const zod3 = { _def: { typeName: "ZodNumber" }, parse: () => 1 };
  refuses(
    { spec: z.object({ size: zod3 }) },
    /^defineResource\(Memcached\): spec\.size is a zod 3 schema; Capstan needs zod 4/,
  );
});

test("a multi-version definition names the version in the path", () => {
  refuses(
    {
      versions: { v1: { spec: z.object({}) }, v2: { storage: true, spec: z.object({ size: 3 }) } },
    },
    /^defineResource\(Memcached\): versions\.v2\.spec\.size is 3, not a zod schema$/,
  );
});

test("a correct definition with recursion through z.lazy is accepted", () => {
  type Node = { name: string; children?: Node[] };
  const node: z.ZodType<Node> = z.lazy(() =>
    z.object({ name: z.string(), children: z.array(node).optional() }),
  );
  assert.doesNotThrow(() => define({ spec: z.object({ tree: node.optional() }) }));
});

test("a schema the CRD cannot express is left for crd() to refuse, as before", () => {
  const R = define({ spec: z.object({ t: z.tuple([z.string()]), u: z.string().catch("x") }) });
  assert.throws(() => R.crd(), /v1\.spec\.t: tuples cannot be expressed/);
});
