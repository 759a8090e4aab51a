/**
 * The node's configuration files, as pure functions of its layout: containerd's config
 * (version 3, everything under the node's state directory), the CNI network (a private
 * bridge without gateway or masquerade, with a route to the Services), the kubelet's
 * KubeletConfiguration and kube-proxy's KubeProxyConfiguration.
 * Each setting that is not a default is here because the node failed without it or because
 * it would otherwise touch the host outside the state directory (see docs/controlplane.md).
 */
import path from "node:path";

export interface NodeLayout {
  /** The node's state directory: containerd's, runc's, CNI's and the kubelet's files. */
  state: string;
  /** Directory of the node's binaries (node/binaries.ts), CNI plugins in `cni/`. */
  bin: string;
  name: string;
  bridge: string;
  /** The bridge's own address; also the node's InternalIP and the kubelet's listen address. */
  bridgeIp: string;
  /** The pod range on the bridge, e.g. 10.244.1.0/24. */
  subnet: string;
  /** The cgroup (in every hierarchy) that holds every pod, e.g. /capstan-1a2b3c. */
  cgroupRoot: string;
  ports: { kubelet: number; kubeletHealthz: number; proxyHealthz: number; proxyMetrics: number };
  /** The Service range, routed from each Pod to the bridge, where kube-proxy's rules are. */
  serviceCidr: string;
  /** The cluster CA (client certificates presented to the kubelet are checked against it). */
  caFile: string;
  sandboxImage: string;
}

export const nodePath = (l: NodeLayout, ...parts: string[]) => path.join(l.state, ...parts);
export const containerdSocket = (l: NodeLayout) => nodePath(l, "containerd", "containerd.sock");

const toml = (v: string | boolean | string[]) =>
  Array.isArray(v) ? `[${v.map((s) => JSON.stringify(s)).join(", ")}]` : JSON.stringify(v);

export function containerdConfig(l: NodeLayout): string {
  const c = (...p: string[]) => nodePath(l, "containerd", ...p);
  const sections: [string, Record<string, string | boolean | string[]>][] = [
    ["", { root: c("root"), state: c("state") }],
    ["grpc", { address: containerdSocket(l) }],
    ["ttrpc", { address: `${containerdSocket(l)}.ttrpc` }],
    ["debug", { level: "warn" }],
    // NRI would open a socket in /run/nri.
    ["plugins.'io.containerd.nri.v1.nri'", { disable: true }],
    ["plugins.'io.containerd.internal.v1.opt'", { path: c("opt") }],
    [
      "plugins.'io.containerd.grpc.v1.cri'",
      { disable_tcp_service: true, stream_server_address: "127.0.0.1", stream_server_port: "0" },
    ],
    ["plugins.'io.containerd.cri.v1.images'", { snapshotter: "overlayfs" }],
    ["plugins.'io.containerd.cri.v1.images'.pinned_images", { sandbox: l.sandboxImage }],
    [
      "plugins.'io.containerd.cri.v1.runtime'",
      {
        // Without CAP_SYS_RESOURCE runc cannot lower oom_score_adj and every container fails.
        restrict_oom_score_adj: true,
        netns_mounts_under_state_dir: true,
        enable_cdi: false,
      },
    ],
    ["plugins.'io.containerd.cri.v1.runtime'.containerd", { default_runtime_name: "runc" }],
    [
      "plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc",
      { runtime_type: "io.containerd.runc.v2" },
    ],
    [
      "plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options",
      { BinaryName: path.join(l.bin, "runc"), Root: nodePath(l, "runc"), SystemdCgroup: false },
    ],
    [
      "plugins.'io.containerd.cri.v1.runtime'.cni",
      { bin_dirs: [path.join(l.bin, "cni")], conf_dir: nodePath(l, "cni", "net.d") },
    ],
  ];
  const body = sections
    .map(([name, kv]) => {
      const lines = Object.entries(kv).map(([k, v]) => `${k} = ${toml(v)}`);
      return (name ? [`[${name}]`, ...lines] : lines).join("\n");
    })
    .join("\n\n");
  return `version = 3\n${body}\n`;
}

/** The CNI network list: the bridge plugin on the pre-made bridge, then portmap. */
export function cniConfig(l: NodeLayout, network: string): string {
  return JSON.stringify(
    {
      cniVersion: "1.0.0",
      // Unique per node: CNI keys its result cache in /var/lib/cni by network name.
      name: network,
      plugins: [
        {
          type: "bridge",
          bridge: l.bridge,
          // A gateway would make the plugin turn on net.ipv4.ip_forward for the whole host.
          isGateway: false,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: l.subnet, gateway: l.bridgeIp }]],
            // Only the Services: no default route, so nothing leaves this host.
            routes: [{ dst: l.serviceCidr, gw: l.bridgeIp }],
            dataDir: nodePath(l, "cni", "ipam"),
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfig(l: NodeLayout): string {
  return JSON.stringify(
    {
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      address: l.bridgeIp,
      port: l.ports.kubelet,
      readOnlyPort: 0,
      healthzBindAddress: "127.0.0.1",
      healthzPort: l.ports.kubeletHealthz,
      containerRuntimeEndpoint: `unix://${containerdSocket(l)}`,
      cgroupDriver: "cgroupfs",
      cgroupRoot: l.cgroupRoot,
      // Kubernetes 1.35 refuses cgroup v1 hosts unless told otherwise.
      failCgroupV1: false,
      failSwapOn: false,
      enforceNodeAllocatable: [],
      // Local images cannot be pulled back once collected: never collect them.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: {
        "memory.available": "1Mi",
        "nodefs.available": "1%",
        "imagefs.available": "1%",
      },
      podLogsDir: nodePath(l, "pod-logs"),
      volumePluginDir: nodePath(l, "kubelet", "volume-plugins"),
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: l.caFile },
      },
      authorization: { mode: "Webhook" },
      registerNode: true,
      serializeImagePulls: false,
    },
    null,
    2,
  );
}

export function kubeletArgs(l: NodeLayout): string[] {
  return [
    `--config=${nodePath(l, "kubelet.yaml")}`,
    `--kubeconfig=${nodePath(l, "kubelet.kubeconfig")}`,
    `--root-dir=${nodePath(l, "kubelet")}`,
    `--cert-dir=${nodePath(l, "kubelet", "pki")}`,
    `--hostname-override=${l.name}`,
    // A loopback node IP is refused by the kubelet; the bridge's address is on this host only.
    `--node-ip=${l.bridgeIp}`,
    "--v=0",
  ];
}

/**
 * kube-proxy in nftables mode, listening on 127.0.0.1 only. Every Service connection is
 * masqueraded: a Pod answering another Pod on the same bridge would otherwise reply straight
 * over the bridge, past the host's connection tracking, with its own address instead of the
 * Service's. Conntrack values 0 and oomScoreAdj 0 leave the host's sysctls and kube-proxy's
 * OOM score alone (lowering it needs CAP_SYS_RESOURCE, which these VMs lack).
 */
export function kubeProxyConfig(l: NodeLayout): string {
  return JSON.stringify(
    {
      apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
      kind: "KubeProxyConfiguration",
      mode: "nftables",
      clientConnection: { kubeconfig: nodePath(l, "kube-proxy.kubeconfig") },
      hostnameOverride: l.name,
      // Not a listen address: kube-proxy's name for the node's IP.
      bindAddress: l.bridgeIp,
      healthzBindAddress: `127.0.0.1:${l.ports.proxyHealthz}`,
      metricsBindAddress: `127.0.0.1:${l.ports.proxyMetrics}`,
      nodePortAddresses: [`${l.bridgeIp}/32`],
      clusterCIDR: l.subnet,
      nftables: { masqueradeAll: true },
      conntrack: {
        maxPerCore: 0,
        min: 0,
        tcpEstablishedTimeout: "0s",
        tcpCloseWaitTimeout: "0s",
      },
      oomScoreAdj: 0,
    },
    null,
    2,
  );
}

export const kubeProxyArgs = (l: NodeLayout) => [
  `--config=${nodePath(l, "kube-proxy.yaml")}`,
  "--v=0",
];

export const containerdArgs = (l: NodeLayout) => [`--config=${nodePath(l, "containerd.toml")}`];
