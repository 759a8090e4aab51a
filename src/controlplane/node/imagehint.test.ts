// Which containers of a Pod wait for an image the node lacks, and the hint's wording.
import assert from "node:assert/strict";
import { test } from "node:test";
import { imageHintMessage, missingImages } from "./imagehint.js";

const waiting = (name: string, image: string, reason: string) => ({
  name,
  image,
  imageID: "",
  ready: false,
  restartCount: 0,
  state: { waiting: { reason } },
});

test("containers waiting in ErrImageNeverPull, ErrImagePull or ImagePullBackOff miss their image; others do not", () => {
  const pod = {
    status: {
      initContainerStatuses: [waiting("init", "a:1", "ErrImageNeverPull")],
      containerStatuses: [
        waiting("pull", "b:1", "ErrImagePull"),
        waiting("backoff", "c:1", "ImagePullBackOff"),
        waiting("starting", "d:1", "ContainerCreating"),
        { ...waiting("runs", "e:1", ""), state: { running: {} } },
      ],
    },
  };
  assert.deepEqual(missingImages(pod), [
    { container: "init", image: "a:1" },
    { container: "pull", image: "b:1" },
    { container: "backoff", image: "c:1" },
  ]);
});

test("the hint names the container, the image, the node and the import command for the cluster", () => {
  assert.equal(
    imageHintMessage({ container: "web", image: "nginx:1.27" }, "capstan-node", "/tmp/c"),
    "container web: image nginx:1.27 is not on node capstan-node, and the local cluster " +
      "reaches no registry: write it as an OCI layout or `docker save` tarball and import it " +
      "with `capstan image import <image.tar> --cluster-dir /tmp/c`, then give the container " +
      "imagePullPolicy IfNotPresent or Never",
  );
});
