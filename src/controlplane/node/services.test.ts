// Services on a real node, as a cluster serves them to Pods: a Pod reaches kube-apiserver
// through the `kubernetes` Service the way an in-cluster client does, a Pod reaches another
// through a ClusterIP Service, and kube-apiserver answers loopback and the pod bridge only.
// Registered only where a node can run; the node lock keeps other nodes away meanwhile.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import tls from "node:tls";
import {
  acquireNodeLock,
  kubectlOk,
  nodeUnavailable,
  useControlPlane,
  type TestControlPlane,
} from "../../testing/index.js";
import { startControlPlane } from "../index.js";
import { nftRuleset, succeeded } from "./node.testkit.js";

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

const pod = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", labels: { app: name } },
  spec: {
    restartPolicy: "Never",
    containers: [
      {
        name: "c",
        image: "busybox:1.36",
        imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", script],
        ...extra,
      },
    ],
  },
});

const create = (cp: TestControlPlane, obj: unknown) =>
  kubectlOk(cp, ["create", "-f", "-"], { input: JSON.stringify(obj) });

if (nodeUnavailable() === undefined) {
  before(() => acquireNodeLock());

  describe("Services on a real node", () => {
    test("a Pod's ServiceAccount token, sent to the kubernetes Service's address from its environment, is answered with the Pod's own identity", async () => {
      const cp = await useControlPlane({ node: true });
      // busybox's wget speaks TLS but checks no certificate: the next test checks it.
      const review = '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}';
      const script = [
        "set -e",
        'echo "$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"',
        `wget -q -O - --no-check-certificate --header "Authorization: Bearer $(cat ${SA_DIR}/token)"` +
          ` --header "Content-Type: application/json" --post-data '${review}'` +
          ' "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/apis/authentication.k8s.io/v1/selfsubjectreviews"',
      ].join("\n");
      await create(cp, pod("whoami", script));
      await succeeded(cp, "whoami");
      const log = await kubectlOk(cp, ["logs", "whoami"]);
      const address = log.slice(0, log.indexOf("\n"));
      assert.equal(address, "10.0.0.1:443");
      const answer = log.slice(address.length + 1);
      const userInfo = (JSON.parse(answer) as { status: { userInfo: { username: string } } }).status
        .userInfo;
      assert.equal(userInfo.username, "system:serviceaccount:default:default");
    });

    test("the certificate behind the kubernetes Service verifies against the ca.crt a Pod gets, for the Service's address", async () => {
      const cp = await useControlPlane({ node: true });
      await create(cp, pod("ca", `cat ${SA_DIR}/ca.crt`));
      await succeeded(cp, "ca");
      const ca = await kubectlOk(cp, ["logs", "ca"]);
      // From this host, through kube-proxy's rules for the ClusterIP, as a Pod's client does.
      const socket = tls.connect({
        host: "10.0.0.1",
        port: 443,
        ca,
        checkServerIdentity: (_, cert) => tls.checkServerIdentity("10.0.0.1", cert),
      });
      await new Promise<void>((resolve, reject) => {
        socket.once("secureConnect", resolve).once("error", reject);
      });
      assert.equal(socket.authorized, true);
      socket.destroy();
    });

    test("a Pod reaches another Pod through a ClusterIP Service", async () => {
      const cp = await useControlPlane({ node: true });
      const serve =
        'mkdir /www && echo "pong from $HOSTNAME" > /www/index.html && exec httpd -f -p 8080 -h /www';
      await create(
        cp,
        pod("pong", serve, {
          ports: [{ containerPort: 8080 }],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        }),
      );
      await create(cp, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "pong", namespace: "default" },
        spec: { selector: { app: "pong" }, ports: [{ port: 80, targetPort: 8080 }] },
      });
      const ip = await kubectlOk(cp, [
        "get",
        "service",
        "pong",
        "-o",
        "jsonpath={.spec.clusterIP}",
      ]);
      assert.match(ip, /^10\.0\.0\.\d+$/);
      // kube-proxy writes the Service's rules within about a second of its endpoint: retry.
      // (No `-T`: Debian's busybox 1.35 wget crashes with it.)
      const ask = `for i in $(seq 30); do wget -q -O - http://${ip}/ && exit 0; sleep 1; done; exit 1`;
      await create(cp, pod("ping", ask));
      await succeeded(cp, "ping");
      assert.equal(await kubectlOk(cp, ["logs", "ping"]), "pong from pong\n");
    });

    test("a second local cluster asking for a node meanwhile is refused before anything starts, naming the cluster whose node runs", async () => {
      const cp = await useControlPlane({ node: true });
      const rules = nftRuleset();
      await assert.rejects(startControlPlane({ node: true }), (e: Error) => {
        assert.match(
          e.message,
          /the node of the local cluster in (\S+) runs kube-proxy on this host/,
        );
        assert.ok(e.message.includes(`\`capstan cluster down --dir ${cp.dir}\``), e.message);
        return true;
      });
      // The refused start's clean-up left this node's firewall and kube-proxy's tables alone.
      assert.equal(nftRuleset(), rules);
    });

    describe("from another interface than loopback and the pod bridge", () => {
      // A network namespace joined to this host by a veth pair: a neighbour on another link.
      const ns = `capstan-t${process.pid}`;
      const [hostSide, nsSide] = [`cvt${process.pid % 100000}h`, `cvt${process.pid % 100000}n`];
      const subnet = `10.251.${process.pid % 250}`;
      const run = (args: string[]) => {
        const r = spawnSync("ip", args, { encoding: "utf8" });
        assert.equal(r.status, 0, `ip ${args.join(" ")}: ${r.stderr}`);
      };
      before(() => {
        run(["netns", "add", ns]);
        run(["link", "add", hostSide, "type", "veth", "peer", "name", nsSide, "netns", ns]);
        run(["addr", "add", `${subnet}.1/30`, "dev", hostSide]);
        run(["link", "set", hostSide, "up"]);
        run(["-n", ns, "addr", "add", `${subnet}.2/30`, "dev", nsSide]);
        run(["-n", ns, "link", "set", nsSide, "up"]);
        run(["-n", ns, "route", "add", "default", "via", `${subnet}.1`]);
      });
      // Deleting the namespace deletes both ends of the veth pair.
      after(() => void spawnSync("ip", ["netns", "del", ns]));

      /** How a TCP connection from the namespace to host:port ends: "connected" or the error code. */
      const connectFromNamespace = (host: string, port: number) => {
        const probe = `const s = require("node:net").connect(${port}, ${JSON.stringify(host)});
          s.setTimeout(10000, () => { console.log("timeout"); process.exit(); });
          s.on("connect", () => { console.log("connected"); process.exit(); });
          s.on("error", (e) => { console.log(e.code); process.exit(); });`;
        const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, "-e", probe], {
          encoding: "utf8",
        });
        return r.stdout.trim();
      };

      test("kube-apiserver's port and the node's bridge refuse connections, while the same link reaches a port this host opens on every address", async () => {
        const cp = await useControlPlane({ node: true });
        const apiserverPort = Number(new URL(cp.server).port);
        const node = JSON.parse(
          await kubectlOk(cp, ["get", "node", "capstan-node", "-o", "json"]),
        ) as {
          status: {
            addresses: { type: string; address: string }[];
            daemonEndpoints: { kubeletEndpoint: { Port: number } };
          };
        };
        const bridgeIp = node.status.addresses.find((a) => a.type === "InternalIP")!.address;
        const open = net.createServer((s) => s.end()).listen(0, "0.0.0.0");
        await new Promise((resolve) => open.once("listening", resolve));
        const openPort = (open.address() as net.AddressInfo).port;
        try {
          assert.deepEqual(
            {
              openPort: connectFromNamespace(`${subnet}.1`, openPort),
              apiserverOnThisLink: connectFromNamespace(`${subnet}.1`, apiserverPort),
              apiserverOnTheBridge: connectFromNamespace(bridgeIp, apiserverPort),
              kubelet: connectFromNamespace(
                bridgeIp,
                node.status.daemonEndpoints.kubeletEndpoint.Port,
              ),
            },
            {
              openPort: "connected",
              apiserverOnThisLink: "ECONNREFUSED",
              apiserverOnTheBridge: "ECONNREFUSED",
              kubelet: "ECONNREFUSED",
            },
          );
        } finally {
          open.close();
        }
      });
    });
  });
}
