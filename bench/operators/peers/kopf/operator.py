"""The Widget operator written the way kopf's docs recommend, as the kopf contender of
Capstan's operator benchmark (bench/operators/run.ts).

For each Widget, a creation handler server-side-applies one ConfigMap owned by the Widget
(kopf.adopt) with the official kubernetes client, and sets status.phase=Ready with
observedGeneration through kopf's patch. kopf keeps its own state (the last handled
configuration) in an annotation, so restarting over handled Widgets runs no handler.

Settings come from the environment: WIDGET_GROUP and WIDGET_CONCURRENCY (the thread pool for
sync handlers: kopf's `settings.execution.max_workers`). Run with
`python -m kopf run --standalone --namespace NS operator.py`.
"""

import os

import kopf
import kubernetes

GROUP = os.environ["WIDGET_GROUP"]
CONCURRENCY = int(os.environ["WIDGET_CONCURRENCY"])


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_):
    settings.execution.max_workers = CONCURRENCY
    kubernetes.config.load_kube_config()


def apply_configmap(name, namespace, body, size):
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": {"size": str(size), "widget": name},
    }
    kopf.adopt(cm, owner=body)
    kubernetes.client.CoreV1Api().patch_namespaced_config_map(
        name,
        namespace,
        cm,
        field_manager="widget-kopf",
        force=True,
        _content_type="application/apply-patch+yaml",
    )


@kopf.on.create(GROUP, "v1", "widgets")
@kopf.on.update(GROUP, "v1", "widgets", field="spec")
def reconcile(spec, name, namespace, body, meta, patch, **_):
    apply_configmap(name, namespace, body, spec.get("size", 0))
    patch.status["phase"] = "Ready"
    patch.status["observedGeneration"] = meta["generation"]
