// Where a node cannot run or cannot be built, `--node` fails with one line saying why.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { missingBuildPrerequisite, readNodePin } from "./binaries.js";
import { decideNodeUnavailable, type HostFacts } from "./preflight.js";

const linuxRoot: HostFacts = {
  platform: "linux",
  uid: 0,
  filesystems: ["ext4", "overlay", "tmpfs"],
  cgroups: ["cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer", "blkio"],
  ipCommand: true,
  nftCommand: true,
};

const oneLine = (s: string | undefined) => {
  assert.ok(s, "expected a reason");
  assert.doesNotMatch(s, /\n/);
  return s;
};

describe("node preconditions", () => {
  test("a Linux host with root, overlayfs, cgroups, iproute2 and nftables can run a node", () => {
    assert.equal(decideNodeUnavailable(linuxRoot), undefined);
  });

  test("a cgroup v2 host can run a node", () => {
    assert.equal(decideNodeUnavailable({ ...linuxRoot, cgroups: ["unified"] }), undefined);
  });

  test("macOS gets one line saying a node needs Linux", () => {
    const why = oneLine(decideNodeUnavailable({ ...linuxRoot, platform: "darwin" }));
    assert.match(why, /needs Linux \(this is darwin\)/);
  });

  test("a non-root user gets one line saying a node must run as root", () => {
    assert.match(oneLine(decideNodeUnavailable({ ...linuxRoot, uid: 1000 })), /must run as root/);
  });

  test("a kernel without overlayfs is named", () => {
    const why = decideNodeUnavailable({ ...linuxRoot, filesystems: ["ext4"] });
    assert.match(oneLine(why), /overlayfs/);
  });

  test("missing cgroup controllers are named", () => {
    const why = decideNodeUnavailable({ ...linuxRoot, cgroups: ["cpu", "cpuacct", "blkio"] });
    assert.match(oneLine(why), /cgroup controllers cpuset, memory, pids, devices, freezer/);
  });

  test("a host without the ip command is told to install iproute2", () => {
    assert.match(oneLine(decideNodeUnavailable({ ...linuxRoot, ipCommand: false })), /iproute2/);
  });

  test("a host without the nft command is told to install nftables", () => {
    const why = decideNodeUnavailable({ ...linuxRoot, nftCommand: false });
    assert.match(oneLine(why), /`nft` command is missing .*install nftables/);
  });
});

describe("node binaries", () => {
  const savedCC = process.env.CC;
  afterEach(() => {
    if (savedCC === undefined) delete process.env.CC;
    else process.env.CC = savedCC;
  });

  test("reads the pinned containerd, runc and CNI versions from the node's wrapper module", () => {
    const pin = readNodePin();
    assert.match(pin.containerd, /^v2\.\d+\.\d+$/);
    assert.match(pin.runc, /^v1\.\d+\.\d+$/);
    assert.match(pin.cni, /^v1\.\d+\.\d+$/);
    assert.match(pin.digest, /^[0-9a-f]{12}$/);
  });

  test("a machine without a C compiler is told in one line how to get one", () => {
    process.env.CC = "/nonexistent/cc";
    const why = oneLine(missingBuildPrerequisite());
    assert.match(
      why,
      /C compiler \(\/nonexistent\/cc not found\).*apt-get install gcc libseccomp-dev/,
    );
  });
});
