/**
 * The admin connection string (the admin Secret's key `uri`): checked with the MongoDB
 * driver's own parser before any use, and never shown. The driver's parse errors quote the
 * string they failed on, password included, and Node's URL errors carry it in `input`; so
 * no such error leaves this module, and every message the operator builds from a server or
 * driver error goes through `redact` with the secrets in play.
 */
import { MongoClient } from "mongodb";

export interface AdminUri {
  uri: string;
  /** The account the operator acts as: reserved, never a MongoUser's. */
  username: string | undefined;
  /** Strings no message may contain: the URI, its credentials and password, as written and decoded. */
  secrets: string[];
}

const SCHEME = /^mongodb(\+srv)?:\/\//;

function spellings(s: string): string[] {
  try {
    const decoded = decodeURIComponent(s);
    return decoded === s ? [s] : [s, decoded];
  } catch {
    return [s];
  }
}

/**
 * The secret parts of a connection string, however malformed: the credentials are whatever
 * lies between `://` and the LAST `@` (a password may hold an unescaped `/` or `@`).
 */
export function secretsOf(uri: string): string[] {
  const start = uri.indexOf("://");
  const at = uri.lastIndexOf("@");
  const credentials = start >= 0 && at > start ? uri.slice(start + 3, at) : "";
  const colon = credentials.indexOf(":");
  const password = colon >= 0 ? credentials.slice(colon + 1) : "";
  return [uri, ...spellings(credentials), ...spellings(password)].filter((s) => s.length > 0);
}

/** `text` with every secret, and the credentials of any connection string in it, as `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a password inside the URI does not leave the rest of the URI behind.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
  return out.replace(/(mongodb(?:\+srv)?:\/\/)[^\s"'@]*@/g, "$1***@");
}

/** The connection string checked with the driver's rules, or why not (redacted). */
export function parseAdminUri(raw: string): AdminUri | { problem: string } {
  const uri = raw.trim(); // `kubectl create secret --from-file` keeps the file's newline
  const secrets = secretsOf(uri);
  if (!SCHEME.test(uri)) return { problem: "it must start with mongodb:// or mongodb+srv://" };
  try {
    // The constructor parses and validates every option; it does not connect.
    const client = new MongoClient(uri);
    return { uri, username: client.options.credentials?.username, secrets };
  } catch (e) {
    return { problem: redact(e instanceof Error ? e.message : String(e), secrets) };
  }
}
