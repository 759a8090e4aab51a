/**
 * Just enough of an ELF header to tell whether a binary can run alone in an image: it must
 * be statically linked (no PT_INTERP program header, so no dynamic loader and no shared
 * libraries to copy) and built for the machine the image says it is for.
 */
import { open } from "node:fs/promises";

export interface ElfFacts {
  /** No program interpreter: runs without a loader or shared libraries. */
  static: boolean;
  /** e_machine, e.g. 62 for x86-64 (see ELF_MACHINES). */
  machine: number;
}

/** e_machine of each OCI architecture this package knows (layout.ts's hostPlatform). */
export const ELF_MACHINES: Record<string, number> = {
  amd64: 62,
  arm64: 183,
  arm: 40,
  "386": 3,
  ppc64le: 21,
  s390x: 22,
  riscv64: 243,
  loong64: 258,
};

const PT_INTERP = 3;

/** The facts, or undefined when `bytes` is not an ELF file. */
export function elfFacts(bytes: Buffer): ElfFacts | undefined {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = bytes[4] === 2;
  const le = bytes[5] === 1;
  const u16 = (o: number) => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number) => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? bytes.readBigUInt64LE(o) : bytes.readBigUInt64BE(o));
  const phoff = is64 ? u64(0x20) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  let interp = false;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > bytes.length) return undefined;
    if (u32(at) === PT_INTERP) interp = true;
  }
  return { static: !interp, machine: u16(0x12) };
}

/** The start of a file, where an ELF header and its program headers are. */
export async function elfHead(file: string): Promise<Buffer> {
  const f = await open(file);
  try {
    const buf = Buffer.alloc(64 << 10);
    const { bytesRead } = await f.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await f.close();
  }
}
