/**
 * Webhook certificates from files that something else issues and renews (cert-manager into
 * a Secret mounted as a volume): `tls.crt`, `tls.key` and, when present, `ca.crt` (the
 * `caBundle`; without it, something else — cert-manager's CA injector — must set it).
 *
 * Reloaded when they change: fs.watch on the directory catches both a file rewritten in
 * place and the kubelet's update of a Secret volume (it writes a new timestamped directory,
 * then renames the `..data` symlink over the old one, so the files' own inodes never
 * change); a periodic check (`pollMs`) catches what a watch can miss (network file
 * systems, events dropped).
 *
 * A half-written pair (a certificate whose key does not match, or unparsable PEM) is not
 * served: the previous one stays until the files agree again; at start it is an error
 * naming the file.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../log.js";
import type { CertSource, ServingCerts } from "./authority.js";

export interface FileCertOptions {
  dir: string;
  pollMs?: number;
  log: Logger;
  now?: () => number;
}

/** Reads and checks the directory's certificate; throws naming the file at fault. */
export async function readCertDir(dir: string): Promise<ServingCerts & { notAfter: number }> {
  const file = (f: string) => path.join(dir, f);
  const read = (f: string) => readFile(file(f), "utf8");
  const [cert, key] = await Promise.all([read("tls.crt"), read("tls.key")]);
  const caBundle = await read("ca.crt").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return "";
    throw e;
  });
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new Error(`webhook certificates: ${file("tls.crt")} is not a PEM certificate`, {
      cause: e,
    });
  }
  let matches: boolean;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch (e) {
    throw new Error(`webhook certificates: ${file("tls.key")} is not a PEM private key`, {
      cause: e,
    });
  }
  if (!matches)
    throw new Error(
      `webhook certificates: ${file("tls.key")} is not the key of ${file("tls.crt")} (files being replaced?)`,
    );
  return { cert, key, caBundle, notAfter: Date.parse(x509.validTo) };
}

/** The certificates of a directory, reloaded on change; see the module's contract. */
export class FileCertSource implements CertSource {
  private served?: ServingCerts;
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;

  constructor(private readonly o: FileCertOptions) {}

  get current(): ServingCerts {
    if (!this.served) throw new Error("webhook certificates: reconcile() has not run yet");
    return this.served;
  }

  async reconcile(): Promise<{ changed: boolean; next: number }> {
    const next = (this.o.now ?? Date.now)() + (this.o.pollMs ?? 10_000);
    let read: ServingCerts;
    try {
      const { cert, key, caBundle } = await readCertDir(this.o.dir);
      read = { cert, key, caBundle };
    } catch (e) {
      if (!this.served) throw e;
      this.o.log.warn({ err: e, dir: this.o.dir }, "webhook certificates: keeping the previous");
      return { changed: false, next };
    }
    const was = this.served;
    this.served = read;
    const changed =
      !was || was.cert !== read.cert || was.key !== read.key || was.caBundle !== read.caBundle;
    if (changed && was) this.o.log.info({ dir: this.o.dir }, "webhook certificate files changed");
    return { changed, next };
  }

  watch(onChange: () => void): void {
    try {
      this.watcher = watch(this.o.dir, () => {
        // One reload for the burst of events a replacement makes.
        clearTimeout(this.debounce);
        this.debounce = setTimeout(onChange, 100);
      });
      this.watcher.on("error", (e) =>
        this.o.log.warn({ err: e, dir: this.o.dir }, "webhook certificates: fs.watch failed"),
      );
    } catch (e) {
      // The periodic check still runs.
      this.o.log.warn({ err: e, dir: this.o.dir }, "webhook certificates: cannot watch");
    }
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }
}
