/**
 * Say how to get an image onto the node. No registry is reachable, so a Pod naming an image
 * that was not imported waits forever in `ErrImageNeverPull` or `ErrImagePull` /
 * `ImagePullBackOff`, and the kubelet's own events talk about pulling. The supervisor watches
 * the Pods bound to the node and records one Warning Event per Pod and image, reason
 * `ImageNotImported`, naming `capstan image import` — without changing the kubelet.
 *
 * Guarantees: at most one hint per Pod uid, container and image for the watcher's life
 * (a restarted supervisor may record it once more). Best effort: a failed write is retried
 * on the Pod's next change, and a failed watch is started again after a second.
 */
import { GoneError, KubeClient } from "../../client/index.js";
import type { Pod } from "kubernetes-types/core/v1.js";
import { setTimeout as sleep } from "node:timers/promises";

/** The kubelet's waiting reasons for an image it does not have and cannot pull. */
const MISSING = new Set(["ErrImageNeverPull", "ErrImagePull", "ImagePullBackOff"]);

export const IMAGE_HINT_REASON = "ImageNotImported";

export interface MissingImage {
  container: string;
  image: string;
}

/** The containers of `pod` waiting for an image the node lacks. */
export function missingImages(pod: Pod): MissingImage[] {
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  return statuses
    .filter((s) => MISSING.has(s.state?.waiting?.reason ?? ""))
    .map((s) => ({ container: s.name, image: s.image }));
}

export function imageHintMessage(m: MissingImage, node: string, clusterDir: string): string {
  return (
    `container ${m.container}: image ${m.image} is not on node ${node}, and the local cluster ` +
    `reaches no registry: write it as an OCI layout or \`docker save\` tarball and import it ` +
    `with \`capstan image import <image.tar> --cluster-dir ${clusterDir}\`, then give the ` +
    `container imagePullPolicy IfNotPresent or Never`
  );
}

/** Watch the Pods on `node` and record a hint for each missing image; stops with `signal`. */
export async function watchImageHints(o: {
  kubeconfig: string;
  node: string;
  clusterDir: string;
  signal: AbortSignal;
}): Promise<void> {
  const kube = await KubeClient.fromKubeconfig({ path: o.kubeconfig });
  const seen = new Set<string>();
  const POD = { apiVersion: "v1", kind: "Pod" } as const;
  const scope = { allNamespaces: true, fieldSelector: { "spec.nodeName": o.node } };
  const consider = async (pod: Pod) => {
    for (const m of missingImages(pod)) {
      const key = `${pod.metadata?.uid}/${m.container}/${m.image}`;
      if (seen.has(key)) continue;
      await kube.create({
        apiVersion: "v1",
        kind: "Event",
        metadata: { generateName: `${pod.metadata?.name}.`, namespace: pod.metadata?.namespace },
        involvedObject: {
          apiVersion: "v1",
          kind: "Pod",
          namespace: pod.metadata?.namespace,
          name: pod.metadata?.name,
          uid: pod.metadata?.uid,
          fieldPath: `spec.containers{${m.container}}`,
        },
        type: "Warning",
        reason: IMAGE_HINT_REASON,
        message: imageHintMessage(m, o.node, o.clusterDir),
        source: { component: "capstan", host: o.node },
        firstTimestamp: new Date().toISOString(),
        lastTimestamp: new Date().toISOString(),
        count: 1,
      });
      seen.add(key);
    }
  };
  while (!o.signal.aborted) {
    try {
      const list = await kube.list(POD, { ...scope, signal: o.signal });
      for (const pod of list.items) await consider(pod as Pod).catch(() => undefined);
      const events = kube.watch(POD, {
        ...scope,
        signal: o.signal,
        resourceVersion: list.resourceVersion,
      });
      for await (const ev of events) {
        if (ev.type === "ADDED" || ev.type === "MODIFIED")
          await consider(ev.object as Pod).catch(() => undefined);
      }
    } catch (e) {
      if (o.signal.aborted) return;
      if (!(e instanceof GoneError))
        await sleep(1000, undefined, { signal: o.signal }).catch(() => {});
    }
  }
}
