/**
 * The string formats the API server checks, re-implemented for runtime validation.
 *
 * Contract: `checkFormat(format, value)` is true/false for the formats below and undefined for
 * formats it does not implement (isbn*, creditcard, ssn, rgbcolor), which are then not checked.
 * The API server uses Go's parsers (net.ParseIP, mail.ParseAddress, url.ParseRequestURI, …);
 * the checks here follow them for every common input but are not byte-for-byte ports: an
 * exotic email display name or a Scala-style duration may be judged differently.
 */
import { isIPv4, isIPv6 } from "node:net";

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID_V = (v: string, variant = "") =>
  new RegExp(
    `^[0-9a-f]{8}-?[0-9a-f]{4}-?${v}[0-9a-f]{3}-?${variant || "[0-9a-f]"}[0-9a-f]{3}-?[0-9a-f]{12}$`,
    "i",
  );
const HOSTNAME =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const DURATION = /^\s*(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w|[A-Za-zµ]+)\s*)+$/;
const ADDR_SPEC = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+$/;
const MAC =
  /^([0-9a-f]{2}([:-])){5}[0-9a-f]{2}$|^([0-9a-f]{2}([:-])){7}[0-9a-f]{2}$|^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

function isCidr(s: string): boolean {
  const [ip, bits, ...rest] = s.split("/");
  if (rest.length || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits))
    return false;
  return (isIPv4(ip) && +bits <= 32) || (isIPv6(ip) && +bits <= 128);
}

function isEmail(s: string): boolean {
  const angle = /^[^<>]*<([^<>]+)>$/.exec(s.trim());
  return ADDR_SPEC.test(angle ? angle[1]! : s);
}

const CHECKS: Record<string, (s: string) => boolean> = {
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID_V("3").test(s),
  uuid4: (s) => UUID_V("4", "[89ab]").test(s),
  uuid5: (s) => UUID_V("5", "[89ab]").test(s),
  date: isDate,
  datetime: (s) => DATE_TIME.test(s) && isDate(s.slice(0, 10)),
  duration: (s) => DURATION.test(s),
  ipv4: (s) => isIPv4(s),
  ipv6: (s) => isIPv6(s),
  cidr: isCidr,
  mac: (s) => MAC.test(s),
  hostname: (s) => HOSTNAME.test(s) && s.length <= 255 && s.split(".").every((p) => p.length <= 63),
  email: isEmail,
  uri: (s) => /^([a-zA-Z][a-zA-Z0-9+.-]*:\S*|\/\S*)$/.test(s),
  byte: (s) => BASE64.test(s),
  password: () => true,
  bsonobjectid: (s) => /^[0-9a-f]{24}$/i.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  k8sshortname: (s) => s.length <= 63 && LABEL.test(s),
  k8slongname: (s) => s.length <= 253 && SUBDOMAIN.test(s),
};

export function checkFormat(format: string, value: string): boolean | undefined {
  return CHECKS[format.replaceAll("-", "")]?.(value);
}
