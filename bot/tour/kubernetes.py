"""Tour step: the configured clusters (``prod-eu``, ``prod-us`` in examples/greenroom.yaml)
served by loopback Kubernetes API servers (bot/loopback/kubernetes_api.py), with a workload
for every service the example company annotates; ``refunds-worker`` is sick in ``prod-us``.

The demo writes the kubeconfig those clusters name, pointing at this run's servers, so the
real ``kubernetes`` client reads them exactly as it would read a real cluster.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig
from bot.tour import Tour
from catalog.annotations import KUBERNETES_ID, KUBERNETES_LABEL_SELECTOR, KUBERNETES_NAMESPACE
from integrations.kubernetes import KubeconfigClusterConfig

__all__ = ["SICK", "serve_clusters", "sweep_clusters"]

#: The service that is not well, in the cluster where it is not.
SICK = ("refunds-worker", "prod-us")
_TOKEN = "demo-cluster-token"  # noqa: S105 - the loopback servers' own, printed nowhere


def serve_clusters(tour: Tour) -> None:
    """Start one loopback API server per configured kubeconfig cluster and write the
    kubeconfig they name (one file may hold several contexts)."""
    clusters = [
        c
        for c in tour.runtime.settings.kubernetes.clusters
        if isinstance(c, KubeconfigClusterConfig)
    ]
    if not clusters:
        tour.say("No kubeconfig clusters in greenroom.yaml: the tour skips Kubernetes.")
        return
    workloads = _workloads(tour)
    files: dict[Any, dict[str, tuple[str, str]]] = {}
    for cluster in clusters:
        api = tour.resources.enter_context(FakeKubernetesApi(token=_TOKEN))
        for name, namespace, labels in workloads:
            sick = (name, cluster.name) == SICK
            api.add(*(_sick if sick else _healthy)(name, namespace, labels))
        context = cluster.context or cluster.name
        files.setdefault(cluster.kubeconfig, {})[context] = (api.url, _TOKEN)
    for path, contexts in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_kubeconfig(path, contexts)
    tour.resources.callback(tour.runtime.clusters.close)
    names = ", ".join(c.name for c in clusters)
    tour.title("greenroom demo: Kubernetes")
    tour.say(
        f"Clusters {names} are served on this machine by greenroom's loopback Kubernetes API, "
        f"with {len(workloads)} workloads; {SICK[0]} is not well in {SICK[1]}."
    )


def _workloads(tour: Tour) -> list[tuple[str, str, dict[str, str]]]:
    """(name, namespace, labels) of every annotated component: what its annotations select."""
    found = []
    for stored in tour.runtime.catalog.entities(kinds=["component"]):
        annotations = stored.entity.metadata.annotations
        namespace = annotations.get(KUBERNETES_NAMESPACE, "apps")
        if KUBERNETES_ID in annotations:
            found.append((stored.ref.name, namespace, {KUBERNETES_ID: annotations[KUBERNETES_ID]}))
        elif KUBERNETES_LABEL_SELECTOR in annotations:
            pairs = (p.split("=", 1) for p in annotations[KUBERNETES_LABEL_SELECTOR].split(","))
            labels = {key.strip(): value.strip() for key, value in pairs}
            found.append((stored.ref.name, namespace, labels))
    return found


def _image(name: str) -> str:
    return f"registry.globex.example/{name}:1.4.2"


def _healthy(name: str, namespace: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    container = k.Container(image=_image(name))
    return [
        k.deployment(name, namespace=namespace, labels=labels, replicas=2, image=_image(name)),
        *k.pods_of(name, 2, namespace=namespace, labels=labels, containers=(container,)),
        k.hpa(name, namespace=namespace, labels=labels, min_replicas=2, current=2),
    ]


def _sick(name: str, namespace: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Out of memory, crash-looping, and the autoscaler at its ceiling."""
    now = datetime.now(UTC)
    oom = ("OOMKilled", 137, now - timedelta(minutes=4))
    crashing = k.Container(
        image=_image(name),
        ready=False,
        restarts=14,
        waiting=("CrashLoopBackOff", "back-off 5m0s restarting failed container"),
        last_terminated=oom,
    )
    pods = k.pods_of(name, 1, namespace=namespace, labels=labels, containers=(k.Container(),))
    broken = [
        k.pod(
            f"{name}-crash-{i}",
            namespace=namespace,
            labels=labels,
            owner=("Deployment", name),
            containers=(crashing,),
        )
        for i in (1, 2)
    ]
    recent = now - timedelta(minutes=2)
    return [
        k.deployment(
            name, namespace=namespace, labels=labels, replicas=3, ready=1, image=_image(name)
        ),
        *pods,
        *broken,
        k.hpa(name, namespace=namespace, labels=labels, min_replicas=2, max_replicas=3, current=3),
        k.event(
            "Pod",
            broken[0]["metadata"]["name"],
            "BackOff",
            "Back-off restarting failed container app",
            namespace=namespace,
            count=31,
            last_seen=recent,
        ),
        k.event(
            "Pod",
            broken[1]["metadata"]["name"],
            "OOMKilling",
            "Memory cgroup out of memory: Killed process 4242 (python)",
            namespace=namespace,
            count=6,
            last_seen=recent,
        ),
    ]


def sweep_clusters(tour: Tour) -> None:
    """The worker's health sweep: every annotated service checked on every cluster, health
    stored for the Home tab and team pages, and what changed posted to the owning team."""
    from bot.console import ConsoleAnswer
    from commands.k8s.sweep import run_health_sweep

    if not tour.runtime.settings.kubernetes.clusters:
        return
    console = tour.open_console()
    tour.title("greenroom demo: the health sweep")
    before = len(console.slack.calls())
    outcome = run_health_sweep(console.runtime)
    tour.resources.callback(console.runtime.clusters.close)
    report = outcome.report
    states = ", ".join(f"{count} {state}" for state, count in sorted(report.statuses.items()))
    tour.say(
        f"Checked every annotated service on every cluster ({states}); "
        f"{outcome.posted} alert(s) posted to the owning teams' channels:"
    )
    posted = [c for c in console.slack.calls()[before:] if c.method == "chat.postMessage"]
    tour.say(ConsoleAnswer("sweep", 200, posted).text())
