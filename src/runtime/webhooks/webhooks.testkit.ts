// What the webhook tests share: a small custom kind to send reviews for, a rotation policy
// fast enough to watch a CA rotation in a test, and the certificate a server presents.
import tls from "node:tls";
import type { KubeClient } from "../../client/client.js";
import { defineResource, z } from "../../core/crd/index.js";
import type { RotationPolicy } from "./rotation.js";

/** A namespaced kind `Probe` in `group`, with `spec.n`. */
export const probeKind = (group: string) =>
  defineResource({ group, version: "v1", kind: "Probe", spec: z.object({ n: z.number().int() }) });

const S = 1000;
/**
 * Everything in seconds: a CA lives 10 s and is replaced 6 s before it ends, so one
 * rotation (new CA, switch, old CA retired) takes about 8 s.
 */
export const FAST_POLICY: RotationPolicy = {
  caValidityMs: 10 * S,
  caRenewBeforeMs: 6 * S,
  leafValidityMs: 4 * S,
  leafRenewBeforeMs: 1.5 * S,
  overlapMs: 2 * S,
};

/** The SHA-256 fingerprint of the certificate a new connection to 127.0.0.1:`port` is shown. */
export function servedFingerprint(port: number, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: "127.0.0.1", port, ca, rejectUnauthorized: !!ca }, () => {
      resolve(sock.getPeerX509Certificate()!.fingerprint256);
      sock.end();
    });
    sock.on("error", reject);
  });
}

/**
 * Dry-run creates of `kind` in `namespace`, ten at a time, until `done()` or `timeoutMs`:
 * how many were sent, the messages of those that failed, and whether `done()` came.
 */
export async function trafficUntil(
  kube: KubeClient,
  kind: ReturnType<typeof probeKind>,
  namespace: string,
  done: () => Promise<boolean>,
  timeoutMs: number,
): Promise<{ sent: number; failures: string[]; done: boolean }> {
  const failures: string[] = [];
  let sent = 0;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (let i = 0; i < 10; i++) {
      sent++;
      await kube
        .create(
          { ...kind.typeRef, metadata: { generateName: "p-", namespace }, spec: { n: sent } },
          { dryRun: true },
        )
        .catch((e: unknown) => failures.push(e instanceof Error ? e.message : String(e)));
    }
    if (await done()) return { sent, failures, done: true };
  }
  return { sent, failures, done: false };
}
