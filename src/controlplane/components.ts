/**
 * The command lines of each control-plane component. Pure: given ports and file paths,
 * return argv. Kept apart from process handling so the flags read as one list.
 */
import path from "node:path";

export interface Layout {
  dir: string;
  bin: string;
  ports: {
    etcdClient: number;
    etcdPeer: number;
    apiserver: number;
    kcm: number;
    scheduler: number;
  };
}

export const file = (l: Layout, name: string) => path.join(l.dir, name);

/** Controllers run by kube-controller-manager by default: enough for owned objects to be
 * garbage-collected, namespaces to finish deleting, service accounts and their tokens to
 * exist, and workloads (Deployments, Jobs, …) to produce their Pods. */
export const DEFAULT_CONTROLLERS = [
  "garbage-collector-controller",
  "namespace-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "root-ca-certificate-publisher-controller",
  "deployment-controller",
  "replicaset-controller",
  "statefulset-controller",
  "daemonset-controller",
  "job-controller",
  "cronjob-controller",
  "ttl-after-finished-controller",
  "endpointslice-controller",
  "pod-garbage-collector-controller",
  // Fills the aggregated admin/edit/view ClusterRoles that RoleBindings commonly name.
  "clusterrole-aggregation-controller",
];

export function etcdArgs(l: Layout): string[] {
  const client = `http://127.0.0.1:${l.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${l.ports.etcdPeer}`;
  return [
    "--name=capstan",
    `--data-dir=${file(l, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=capstan=${peer}`,
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

/** What a real node adds to the default controllers: the kubelet registers its Node with a
 * not-ready taint that only node-lifecycle removes; without the protection controllers a
 * deleted PVC or PV stays Terminating forever. */
export const NODE_CONTROLLERS = [
  "node-lifecycle-controller",
  "persistentvolumeclaim-protection-controller",
  "persistentvolume-protection-controller",
];

/** The Service range; its first address is the `kubernetes` Service's ClusterIP (in the
 * serving certificate, pki.ts). Pods reach it through a route on the pod bridge. */
export const SERVICE_CIDR = "10.0.0.0/24";

/** kube-apiserver's flags for a cluster with a node: the Node authorizer and admission
 * plugin confine the kubelet's identity to its own Node and Pods, and the apiserver presents
 * its own client certificate to the kubelet (logs, exec). Pods reach it through the
 * `kubernetes` Service, whose endpoint is the advertised pod-bridge address: so it listens on
 * every address (the library's own clients use 127.0.0.1) behind a firewall that answers only
 * loopback and the bridge (node/firewall.ts), and the lease reconciler keeps the endpoint. */
export function apiserverNodeArgs(l: Layout, bridgeIp: string): string[] {
  const pki = (n: string) => file(l, path.join("pki", n));
  return [
    "--bind-address=0.0.0.0",
    `--advertise-address=${bridgeIp}`,
    "--endpoint-reconciler-type=lease",
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`,
    `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
    "--kubelet-preferred-address-types=InternalIP",
  ];
}

/** Without a node nothing but this host talks to the apiserver: loopback only, and no
 * endpoints for the `kubernetes` Service (a loopback address cannot back them). */
const loopbackArgs = [
  "--bind-address=127.0.0.1",
  "--advertise-address=127.0.0.1",
  "--endpoint-reconciler-type=none",
  "--authorization-mode=RBAC",
];

export function apiserverArgs(
  l: Layout,
  extra: string[] = [],
  opts: { node?: { bridgeIp: string } } = {},
): string[] {
  const pki = (n: string) => file(l, path.join("pki", n));
  return [
    `--etcd-servers=http://127.0.0.1:${l.ports.etcdClient}`,
    ...(opts.node ? apiserverNodeArgs(l, opts.node.bridgeIp) : loopbackArgs),
    `--secure-port=${l.ports.apiserver}`,
    `--cert-dir=${file(l, "apiserver-certs")}`,
    `--tls-cert-file=${pki("apiserver.crt")}`,
    `--tls-private-key-file=${pki("apiserver.key")}`,
    `--client-ca-file=${pki("ca.crt")}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--allow-privileged=true",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki("sa.pub")}`,
    `--service-account-signing-key-file=${pki("sa.key")}`,
    "--profiling=false",
    "--v=0",
    ...extra,
  ];
}

export function controllerManagerArgs(l: Layout, controllers: string[]): string[] {
  const kc = file(l, "kube-controller-manager.kubeconfig");
  return [
    `--kubeconfig=${kc}`,
    `--authentication-kubeconfig=${kc}`,
    `--authorization-kubeconfig=${kc}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${l.ports.kcm}`,
    `--cert-dir=${file(l, "kcm-certs")}`,
    "--leader-elect=false",
    `--controllers=${controllers.join(",")}`,
    `--root-ca-file=${file(l, "pki/ca.crt")}`,
    `--service-account-private-key-file=${file(l, "pki/sa.key")}`,
    "--use-service-account-credentials=true",
    "--profiling=false",
    "--v=0",
  ];
}

export function schedulerArgs(l: Layout): string[] {
  const kc = file(l, "kube-scheduler.kubeconfig");
  return [
    `--kubeconfig=${kc}`,
    `--authentication-kubeconfig=${kc}`,
    `--authorization-kubeconfig=${kc}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${l.ports.scheduler}`,
    "--leader-elect=false",
    "--profiling=false",
  ];
}
