// How the transport writes request paths and reads bodies (pure: no request is sent). The
// server decodes the query with Go's url.ParseQuery, which reads it the way URLSearchParams
// does.
import assert from "node:assert/strict";
import https from "node:https";
import { Readable } from "node:stream";
import { test } from "node:test";
import type { Connection } from "./config.js";
import { readAll, Transport } from "./http.js";

const transport = (server: string) =>
  new Transport({
    server,
    namespace: "default",
    agent: new https.Agent(),
    authHeaders: async () => ({}),
  } as unknown as Connection);

test("the query decodes to exactly the values given, undefined ones left out", () => {
  const values = {
    labelSelector: "app in (a,b),!legacy,tier=front end",
    fieldSelector: "metadata.name=x&y",
    limit: 500,
    watch: true,
    continue: undefined,
  };
  const path = transport("https://10.0.0.1:6443").pathOf("/api/v1/pods", values);
  assert.ok(path.startsWith("/api/v1/pods?"), path);
  const decoded = new URL(`https://h${path}`).searchParams;
  assert.deepEqual(
    [...decoded],
    [
      ["labelSelector", values.labelSelector],
      ["fieldSelector", values.fieldSelector],
      ["limit", "500"],
      ["watch", "true"],
    ],
  );
});

test("a server URL with a path keeps it as the prefix of every request", () => {
  const t = transport("https://rancher.example/k8s/clusters/c-1");
  assert.equal(t.pathOf("/api/v1/namespaces"), "/k8s/clusters/c-1/api/v1/namespaces");
  assert.equal(t.pathOf("/version", {}), "/k8s/clusters/c-1/version");
});

test("a path that already has a query gets the rest appended with &", () => {
  assert.equal(
    transport("https://[::1]:6443").pathOf("/api/v1/pods?watch=1", { limit: 1 }),
    "/api/v1/pods?watch=1&limit=1",
  );
});

test("a body whose multibyte characters are cut by every chunk boundary is read exactly", async () => {
  const text = "é日😀".repeat(3);
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  assert.equal(await readAll(Readable.from(chunks)), text);
});
