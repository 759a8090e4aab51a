/**
 * One warm-up measurement in a fresh Node process:
 *   worker <capstan|node-https> <kubeconfig> <namespace> <blocks> <blockSize> <concurrency>
 * Sends blocks × blockSize server-side applies of small ConfigMaps and prints one JSON line:
 * the CPU time (user + system) of each block in µs per request, and its wall time.
 *
 * `node-https` sends the same request with bare `https.request` over Capstan's connection
 * (its agent and credentials): Node's own cost, the floor under any Node client.
 */
import https from "node:https";
import { KubeClient } from "../../src/client/index.js";

const [variant, kubeconfig, ns, blocksArg, sizeArg, concArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const [blocks, size, concurrency] = [Number(blocksArg), Number(sizeArg), Number(concArg)];
const client = await KubeClient.fromKubeconfig({ path: kubeconfig });
const conn = client.conn;
const auth = await conn.authHeaders();
const NAMES = 200;
const desired = (i: number) => ({
  apiVersion: "v1" as const,
  kind: "ConfigMap" as const,
  metadata: { name: `warm-${i % NAMES}`, namespace: ns },
  data: { i: String(i) },
});

function bare(i: number): Promise<unknown> {
  const body = JSON.stringify(desired(i));
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${conn.server}/api/v1/namespaces/${ns}/configmaps/warm-${i % NAMES}?fieldManager=warmup&force=true`,
      {
        method: "PATCH",
        agent: conn.agent,
        headers: {
          ...auth,
          Accept: "application/json",
          "Content-Type": "application/apply-patch+yaml",
          "Content-Length": String(Buffer.byteLength(body)),
        },
      },
    );
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (res.statusCode! >= 300) reject(new Error(`HTTP ${res.statusCode}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const send =
  variant === "capstan"
    ? (i: number) => client.apply(desired(i), { fieldManager: "warmup", force: true })
    : bare;

const out: { cpuUsPerRequest: number; ms: number }[] = [];
let sent = 0;
for (let b = 0; b < blocks; b++) {
  const end = sent + size;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < end) await send(sent++);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  out.push({ cpuUsPerRequest: (cpu.user + cpu.system) / size, ms: performance.now() - t0 });
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
