/** Minimal HTTPS GET against kube-apiserver with the admin identity, for readiness checks only. */
import https from "node:https";

export interface ProbeAuth {
  ca: string;
  cert: string;
  key: string;
}

export function probe(
  url: string,
  auth: ProbeAuth,
  timeoutMs = 2000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      { ca: auth.ca, cert: auth.cert, key: auth.key, timeout: timeoutMs },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/** Plain-HTTP GET (etcd's health endpoint). */
export async function probeHttp(url: string, timeoutMs = 2000): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.status;
}
