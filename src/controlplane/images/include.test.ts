// Extra files for an operator image (`--include`), decided without a cluster: where each goes,
// and which binaries could never run in an image that has only node's libraries.
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { tempDir } from "./images.testkit.js";
import { includedEntries, parseInclusion } from "./include.js";
import { ELF_MACHINES } from "./elf.js";
import { hostPlatform } from "./layout.js";

/** A minimal little-endian ELF64 header, with a PT_INTERP program header when `dynamic`. */
function elf(dynamic: boolean, machine = ELF_MACHINES[hostPlatform().architecture]!): Buffer {
  const b = Buffer.alloc(128);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b.writeUInt16LE(machine, 0x12);
  b.writeBigUInt64LE(64n, 0x20);
  b.writeUInt16LE(56, 0x36);
  b.writeUInt16LE(dynamic ? 1 : 0, 0x38);
  if (dynamic) b.writeUInt32LE(3, 64);
  return b;
}

function file(name: string, content: Buffer | string, mode = 0o755): string {
  const f = path.join(tempDir(), name);
  writeFileSync(f, content);
  chmodSync(f, mode);
  return f;
}

describe("--include", () => {
  test("a file without an image path goes to /usr/local/bin under its own name", () => {
    assert.deepEqual(parseInclusion("/opt/k8s/kubectl"), {
      from: "/opt/k8s/kubectl",
      to: "/usr/local/bin/kubectl",
    });
  });

  test("an image path after the last colon that starts one is where the file goes", () => {
    assert.deepEqual(parseInclusion("/host/a:b/tool:/opt/tool"), {
      from: "/host/a:b/tool",
      to: "/opt/tool",
    });
  });

  test("an image path with .. is refused, naming it", () => {
    assert.throws(() => parseInclusion("/host/tool:/opt/../etc/tool"), /\/opt\/\.\.\/etc\/tool/);
  });

  test("a static binary is included with its mode, owned by root", async () => {
    const f = file("tool", elf(false), 0o750);
    assert.deepEqual(await includedEntries([{ from: f, to: "/usr/local/bin/tool" }]), [
      { type: "file", path: "/usr/local/bin/tool", mode: 0o750, content: { fromFile: f } },
    ]);
  });

  test("a dynamically linked binary is refused, saying to build it static", async () => {
    const f = file("dyn", elf(true));
    await assert.rejects(
      includedEntries([{ from: f, to: "/bin/dyn" }]),
      /dynamically linked.*static/,
    );
  });

  test("a binary for another architecture is refused", async () => {
    const other = hostPlatform().architecture === "arm64" ? ELF_MACHINES.amd64 : ELF_MACHINES.arm64;
    const f = file("foreign", elf(false, other));
    await assert.rejects(includedEntries([{ from: f, to: "/bin/foreign" }]), /not built for/);
  });

  test("a file that is not ELF, such as a script or a config file, is included as it is", async () => {
    const f = file("conf.yaml", "a: 1\n", 0o644);
    const [e] = await includedEntries([{ from: f, to: "/etc/tool/conf.yaml" }]);
    assert.deepEqual(e, {
      type: "file",
      path: "/etc/tool/conf.yaml",
      mode: 0o644,
      content: { fromFile: f },
    });
  });

  test("a missing host file is refused, naming it", async () => {
    await assert.rejects(
      includedEntries([{ from: "/nonexistent/tool", to: "/bin/tool" }]),
      /\/nonexistent\/tool: no such file/,
    );
  });
});
