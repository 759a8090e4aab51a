/**
 * The files `capstan init` writes, as pure functions of the project's names: a resource, a
 * reconcile-style operator that owns one ConfigMap per object, its test on the local control
 * plane, a sample, and the package's plumbing. The operator and its test import only the
 * names an operator author uses from `capstan`, and the test kit from `capstan/testing`.
 */

export interface ProjectNames {
  /** The directory's name: the npm package, the operator's name (`<name>-operator`). */
  name: string;
  /** The resource's kind (`MyApp`), group (`my-app.example.com`) and version. */
  kind: string;
  group: string;
  version: string;
  /** The resource's plural (`myapps`), for kubectl. */
  plural: string;
}

export interface PackageSpec {
  /** The `capstan` dependency: a version range, or `file:` a tarball. */
  capstan: string;
  /** Versions of the dev tools, matching what capstan itself is built with. */
  typescript: string;
  typesNode: string;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export function packageJson(n: ProjectNames, p: PackageSpec): string {
  return json({
    name: n.name,
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=20.19" },
    scripts: {
      demo: "capstan dev src/operator.ts --apply samples",
      start: "capstan dev src/operator.ts",
      test: "capstan test",
      typecheck: "tsc --noEmit",
      generate: "capstan generate deploy src/operator.ts --out deploy",
    },
    dependencies: { capstan: p.capstan },
    devDependencies: { "@types/node": p.typesNode, typescript: p.typescript },
  });
}

// No build step: capstan runs and tests the .ts files as they are; tsc only type-checks.
export const tsconfigJson = (): string => `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "isolatedModules": true,
    "skipLibCheck": true,
    "types": ["node"]
  },
  "include": ["src"]
}
`;

export const gitignore = (): string => ["node_modules/", "dist/", "*.tgz", ".env", ""].join("\n");

export const resourceTs = (
  n: ProjectNames,
): string => `// The ${n.kind} resource, defined once: its TypeScript type, its runtime validation and its
// CRD (\`npx capstan generate crd src/resource.ts\`) all come from this schema.
import { defineResource, k8s, z } from "capstan";

export const ${n.kind} = defineResource({
  group: ${JSON.stringify(n.group)},
  version: ${JSON.stringify(n.version)},
  kind: ${JSON.stringify(n.kind)},
  spec: z.object({
    message: z.string().min(1).max(1024),
  }),
  status: z.object({
    observedGeneration: z.number().int().optional(),
    conditions: k8s.conditions().optional(),
  }),
});
`;

export const operatorTs = (
  n: ProjectNames,
): string => `// The ${n.name} operator: each ${n.kind} owns one ConfigMap holding its message, and reports
// Ready with the generation it saw. Reconcile is level-triggered: it receives the latest
// ${n.kind} and makes the world match it. \`ctx.ensureChild\` writes the ConfigMap only when
// it differs (a converged ${n.kind} costs no write) and never touches a ConfigMap of that name
// that the ${n.kind} does not own. Deleting the ${n.kind} lets Kubernetes' garbage collector
// remove its ConfigMap.
import { childName, defineOperator, done, setCondition } from "capstan";
import { ${n.kind} } from "./resource.js";

// \`capstan run\`, \`dev\` and \`generate\` find the resource here, next to the operator.
export { ${n.kind} };

const CONFIGMAP = { apiVersion: "v1", kind: "ConfigMap" } as const;

export default defineOperator(
  (op) => {
    op.controller({
      name: ${JSON.stringify(n.plural)},
      for: ${n.kind},
      owns: [CONFIGMAP],
      async reconcile(obj, ctx) {
        const name = childName(obj, "message", { rule: "dns1123-subdomain" });
        const { outcome } = await ctx.ensureChild({
          ...CONFIGMAP,
          metadata: { name, namespace: obj.metadata.namespace },
          data: { message: obj.spec.message },
        });
        if (outcome !== "unchanged") ctx.log.info({ configMap: name, outcome }, "message published");
        await ctx.patchStatus({
          observedGeneration: obj.metadata.generation,
          conditions: setCondition(obj.status?.conditions, {
            type: "Ready",
            status: "True",
            reason: "Published",
            message: \`ConfigMap \${name} holds the message\`,
          }),
        });
        return done();
      },
    });
  },
  { name: ${JSON.stringify(n.name)} },
);
`;

/** "an" before a vowel sound as spelled (EphemeralVolumeClaim), else "a" (Widget). */
export const article = (word: string): string => (/^[AEIOU]/i.test(word) ? "an" : "a");

export const operatorTestTs = (
  n: ProjectNames,
): string => `// The operator on the local control plane: \`npm test\` (\`capstan test\`) starts one for the
// whole run, and \`useControlPlane()\` connects to it. Each test file gets its own namespace
// and runs the operator inside the test, watching only that namespace.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { childName } from "capstan";
import { KubeClient } from "capstan/client";
import {
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
} from "capstan/testing";
import operator, { ${n.kind} } from "./operator.js";

let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
let op: RunningOperator;

before(async () => {
  const cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(kube, ${JSON.stringify(n.name.slice(0, 40))});
  op = await runOperator(operator, {
    kubeconfig: cp.kubeconfig,
    namespaces: [ns.name],
    crds: [${n.kind}],
  });
});
after(async () => {
  await op.stop();
  await ns.dispose();
});

const CONFIGMAP = { apiVersion: "v1", kind: "ConfigMap" } as const;
const configMapOf = (name: string) =>
  kube.get({
    ...CONFIGMAP,
    namespace: ns.name,
    name: childName(name, "message", { rule: "dns1123-subdomain" }),
  });

test("${article(n.kind)} ${n.kind} gets a ConfigMap holding its message, owned by it", async () => {
  await kube.create({
    ...${n.kind}.typeRef,
    metadata: { name: "first", namespace: ns.name },
    spec: { message: "hello" },
  });
  const cm = await eventually(() => configMapOf("first"));
  assert.equal(cm.data?.message, "hello");
  assert.equal(cm.metadata?.ownerReferences?.[0]?.kind, ${JSON.stringify(n.kind)});
  assert.equal(cm.metadata?.ownerReferences?.[0]?.controller, true);
});

test("${article(n.kind)} ${n.kind} reports Ready with the generation it was reconciled at", async () => {
  await kube.create({
    ...${n.kind}.typeRef,
    metadata: { name: "second", namespace: ns.name },
    spec: { message: "ready?" },
  });
  await eventually(async () => {
    const obj = await kube.get({ ...${n.kind}.typeRef, namespace: ns.name, name: "second" });
    assert.equal(obj.status?.observedGeneration, 1);
    const ready = obj.status?.conditions?.find((c) => c.type === "Ready");
    assert.equal(ready?.status, "True");
  });
});
`;

export const sampleYaml = (
  n: ProjectNames,
): string => `# A sample ${n.kind}: \`npm run demo\` applies it; or \`kubectl apply -f samples/\`.
apiVersion: ${n.group}/${n.version}
kind: ${n.kind}
metadata:
  name: example
spec:
  message: Hello from ${n.name}
`;
