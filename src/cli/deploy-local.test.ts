// `capstan deploy --local` where it cannot deploy, and how it reads a rollout (pure). The
// deployment itself, on a node: deploy-local.node.test.ts.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import type { Deployment } from "kubernetes-types/apps/v1.js";
import type { Pod } from "kubernetes-types/core/v1.js";
import { useControlPlane } from "../testing/index.js";
import { deployLocal } from "./deploy-local.js";
import { PRINTER } from "./deploy.testkit.js";
import { rolloutState } from "./deploy-rollout.js";

const options = (clusterDir: string, out: string) => ({
  clusterDir,
  out,
  timeoutMs: 1000,
  replicas: 1,
  namespace: [],
  allNamespaces: false,
  installCrds: false,
});

describe("capstan deploy --local without a node", () => {
  test("on a cluster without a node it fails in one line, before writing or building anything", async () => {
    const cp = await useControlPlane();
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), "capstan-dl-")), "deploy");
    try {
      await assert.rejects(deployLocal(PRINTER, options(cp.dir, out)), (e: Error) => {
        assert.match(e.message, /has no node to run the operator's Pods: /);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
      assert.equal(existsSync(out), false);
    } finally {
      rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });

  test("with no cluster running it names the command that starts one with a node", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-dl-none-"));
    try {
      await assert.rejects(
        deployLocal(PRINTER, options(dir, path.join(dir, "deploy"))),
        new RegExp(`^Error: no local cluster runs in ${dir} \\(stopped\\): .*cluster up --node`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const deployment = (status: Deployment["status"], generation = 2): Deployment => ({
  metadata: { name: "op", namespace: "ns", generation },
  spec: { replicas: 2, selector: {}, template: {} },
  status,
});
const pod = (name: string, status: Pod["status"]): Pod => ({ metadata: { name }, status });
const all = { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2 };

describe("how deploy --local reads a rollout", () => {
  test("a Deployment is ready when every replica is updated and available and none is left over", () => {
    assert.deepEqual(rolloutState(deployment({ ...all, availableReplicas: 2 }), []), {
      ready: true,
      line: "2/2 ready",
    });
  });

  test("a spec the controller has not observed yet is not ready, whatever the counts", () => {
    const r = rolloutState(deployment({ ...all, availableReplicas: 2, observedGeneration: 1 }), []);
    assert.deepEqual(r, {
      ready: false,
      line: "2/2 ready; the controller has not seen the new spec yet",
    });
  });

  test("Pods that are all ready before the Deployment counts them say so", () => {
    const r = rolloutState(deployment({ ...all, readyReplicas: 1, availableReplicas: 1 }), []);
    assert.deepEqual(r, {
      ready: false,
      line: "1/2 ready; every Pod is ready; the Deployment's status has not caught up yet",
    });
  });

  test("old replicas still running keep it not ready", () => {
    const r = rolloutState(deployment({ ...all, availableReplicas: 2, replicas: 3 }), []);
    assert.equal(r.ready, false);
  });

  test("a Pod that is not ready is described by its container's waiting reason and message", () => {
    const waiting = pod("op-1", {
      phase: "Pending",
      containerStatuses: [
        {
          name: "operator",
          image: "op:local-1",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: "ErrImageNeverPull", message: "image op:x not present" } },
        },
      ],
    });
    const unscheduled = pod("op-2", {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", message: "0/1 nodes are available" }],
    });
    const r = rolloutState(deployment({ ...all, readyReplicas: 0, availableReplicas: 0 }), [
      unscheduled,
      waiting,
    ]);
    assert.equal(
      r.line,
      "0/2 ready; op-1: ErrImageNeverPull (image op:x not present); " +
        "op-2: not scheduled (0/1 nodes are available)",
    );
  });

  test("a container that restarted is described by how it last ended", () => {
    const crashed = pod("op-1", {
      phase: "Running",
      containerStatuses: [
        {
          name: "operator",
          image: "op:local-1",
          imageID: "",
          ready: false,
          restartCount: 2,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: { exitCode: 1, reason: "Error" } },
        },
      ],
    });
    const r = rolloutState(deployment({ ...all, readyReplicas: 1, availableReplicas: 1 }), [
      crashed,
    ]);
    assert.equal(r.line, "1/2 ready; op-1: CrashLoopBackOff; exit code 1 (Error), 2 restarts");
  });
});
