/** Kubeconfig files for the admin and for each control-plane component. */
import { stringify } from "yaml";
import type { KeyPairPem } from "./pki.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

export function kubeconfig(opts: {
  server: string;
  caPem: string;
  user: string;
  identity: KeyPairPem;
  context?: string;
  namespace?: string;
}): string {
  const context = opts.context ?? "capstan";
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: context,
        cluster: { server: opts.server, "certificate-authority-data": b64(opts.caPem) },
      },
    ],
    users: [
      {
        name: opts.user,
        user: {
          "client-certificate-data": b64(opts.identity.cert),
          "client-key-data": b64(opts.identity.key),
        },
      },
    ],
    contexts: [
      {
        name: context,
        context: { cluster: context, user: opts.user, namespace: opts.namespace ?? "default" },
      },
    ],
    "current-context": context,
  });
}
