// The node's configuration files keep everything under its state directory and keep the pod
// network private: checked on the generated text, without starting anything.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  cniConfig,
  containerdConfig,
  kubeletConfig,
  kubeProxyConfig,
  type NodeLayout,
} from "./config.js";
import { firewallRules } from "./firewall.js";

const l: NodeLayout = {
  state: "/st/node",
  bin: "/bin-dir",
  name: "capstan-node",
  bridge: "capstan3",
  bridgeIp: "10.244.3.1",
  subnet: "10.244.3.0/24",
  cgroupRoot: "/capstan-abc123",
  ports: { kubelet: 41001, kubeletHealthz: 41002, proxyHealthz: 41003, proxyMetrics: 41004 },
  serviceCidr: "10.0.0.0/24",
  caFile: "/st/pki/ca.crt",
  sandboxImage: "localhost/capstan/pause:busybox",
};

describe("node configuration", () => {
  test("every path in containerd's config is under the state directory or the binaries", () => {
    const paths = [...containerdConfig(l).matchAll(/"(\/[^"]*)"/g)].map((m) => m[1]!);
    assert.ok(paths.length >= 8, paths.join(", "));
    for (const p of paths) assert.match(p, /^\/(st\/node|bin-dir)\//);
  });

  test("containerd restricts oom_score_adj, disables NRI and pins the sandbox image", () => {
    const c = containerdConfig(l);
    assert.match(c, /^version = 3$/m);
    assert.match(c, /restrict_oom_score_adj = true/);
    assert.match(c, /\[plugins\.'io\.containerd\.nri\.v1\.nri'\]\ndisable = true/);
    assert.match(c, /sandbox = "localhost\/capstan\/pause:busybox"/);
  });

  test("the pod network is the pre-made bridge without gateway or masquerade", () => {
    const net = JSON.parse(cniConfig(l, "capstan-abc123")) as {
      name: string;
      plugins: Record<string, unknown>[];
    };
    assert.equal(net.name, "capstan-abc123");
    assert.deepEqual(
      { ...net.plugins[0], ipam: undefined },
      {
        type: "bridge",
        bridge: "capstan3",
        isGateway: false,
        ipMasq: false,
        hairpinMode: true,
        ipam: undefined,
      },
    );
  });

  test("a Pod's only route off its bridge leads to the Services, through the bridge", () => {
    const net = JSON.parse(cniConfig(l, "capstan-abc123")) as {
      plugins: { ipam?: { routes?: unknown } }[];
    };
    assert.deepEqual(net.plugins[0]!.ipam!.routes, [{ dst: "10.0.0.0/24", gw: "10.244.3.1" }]);
  });

  test("kube-proxy writes nftables rules, listens on loopback only and leaves conntrack sysctls alone", () => {
    const p = JSON.parse(kubeProxyConfig(l)) as Record<string, unknown>;
    assert.equal(p.mode, "nftables");
    assert.equal(p.healthzBindAddress, "127.0.0.1:41003");
    assert.equal(p.metricsBindAddress, "127.0.0.1:41004");
    assert.deepEqual(p.nodePortAddresses, ["10.244.3.1/32"]);
    assert.deepEqual(p.conntrack, {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: "0s",
      tcpCloseWaitTimeout: "0s",
    });
  });

  test("the firewall rejects the apiserver's port and the bridge's range on every other interface and forwards nothing off the bridge", () => {
    const rules = firewallRules({
      table: "capstan-abc123",
      bridge: "capstan3",
      subnet: "10.244.3.0/24",
      apiserverPort: 40000,
    });
    assert.match(rules, /^table inet capstan-abc123 \{$/m);
    assert.match(rules, /iifname != \{ "lo", "capstan3" \} tcp dport 40000 reject with tcp reset/);
    assert.match(rules, /iifname != \{ "lo", "capstan3" \} ip daddr 10\.244\.3\.0\/24 reject/);
    assert.match(rules, /iifname "capstan3" oifname != "capstan3" drop/);
    assert.match(rules, /oifname "capstan3" iifname != "capstan3" drop/);
  });

  test("the kubelet serves no read-only port, listens on the bridge and never collects images", () => {
    const k = JSON.parse(kubeletConfig(l)) as Record<string, unknown>;
    assert.equal(k.readOnlyPort, 0);
    assert.equal(k.address, "10.244.3.1");
    assert.equal(k.healthzBindAddress, "127.0.0.1");
    assert.equal(k.imageGCHighThresholdPercent, 100);
    assert.deepEqual(k.authorization, { mode: "Webhook" });
  });
});
