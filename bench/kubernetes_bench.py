"""Kubernetes health: time to answer one service across 5 clusters (one hanging), and the
time of a health sweep over 1,000 services.

The fake API servers run in a child process (their JSON encoding does not compete with the
client for the GIL); the client is the real ``kubernetes`` client, as in production.

    .venv/bin/python bench/kubernetes_bench.py [--runs 30] [--services 1000] [--sweeps 3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
for _proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_proxy, None)

from bot.loopback import kubernetes_objects as k  # noqa: E402
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig  # noqa: E402
from catalog import Catalog  # noqa: E402
from catalog.database import create_database_engine, upgrade_schema  # noqa: E402
from catalog.sources.directory import DirectorySource  # noqa: E402
from catalog.sync import sync_catalog  # noqa: E402
from integrations.kubernetes import ClusterSet, KubernetesSettings, check_health  # noqa: E402
from integrations.kubernetes.sweep import sweep_health  # noqa: E402

CLUSTERS = 5


def spread_service(cluster: int) -> list[dict[str, Any]]:
    """payments-api in one cluster: 4 deployments x 50 pods, their HPAs, 40 warning events."""
    labels = {k.KUBE_ID: "payments-api"}
    objects: list[dict[str, Any]] = []
    for d in range(4):
        name = f"payments-api-{['web', 'worker', 'cron', 'grpc'][d]}"
        crashing = k.Container(ready=False, restarts=4, waiting=("CrashLoopBackOff", "back-off"))
        pods = k.pods_of(name, 50, labels=labels)
        pods[0]["status"]["containerStatuses"] = [crashing.status()]
        objects.append(k.deployment(name, replicas=50, ready=49, labels=labels))
        objects += pods
        objects.append(k.hpa(name, labels=labels, max_replicas=60, current=50))
        pod_name = pods[0]["metadata"]["name"]
        objects += [
            k.event("Pod", pod_name, "BackOff", f"Back-off {i}", count=3) for i in range(10)
        ]
    return objects


def fleet(services: int, custom_every: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A catalog of ``services`` components and each cluster's objects for them (3 pods each,
    one in 20 services crash-looping; every ``custom_every``-th uses a label selector)."""
    documents: list[dict[str, Any]] = [
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Group",
            "metadata": {"name": "team", "annotations": {"slack.com/channel": "#team"}},
            "spec": {"type": "team", "children": []},
        }
    ]
    objects: list[dict[str, Any]] = []
    for i in range(services):
        name = f"svc-{i:04}"
        custom = custom_every and i % custom_every == 0
        annotations = (
            {"backstage.io/kubernetes-label-selector": f"app={name}"}
            if custom
            else {k.KUBE_ID: name}
        )
        labels = {"app": name} if custom else {k.KUBE_ID: name}
        documents.append(
            {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": name, "annotations": annotations},
                "spec": {"type": "service", "lifecycle": "production", "owner": "team"},
            }
        )
        broken = i % 20 == 7
        container = (
            k.Container(ready=False, restarts=3, waiting=("CrashLoopBackOff", "back-off"))
            if broken
            else k.Container()
        )
        objects.append(k.deployment(name, replicas=3, ready=2 if broken else 3, labels=labels))
        objects += k.pods_of(name, 3, labels=labels, containers=(container,))
        objects.append(k.hpa(name, labels=labels, current=3))
    return documents, objects


def serve(kind: str, services: int, custom_every: int, pipe: Any) -> None:
    """Child process: start the fake clusters, send their URLs, serve until told to stop."""
    apis = [FakeKubernetesApi().start() for _ in range(CLUSTERS)]
    for index, api in enumerate(apis):
        if kind == "answer":
            api.add(*spread_service(index))
        else:
            api.add(*fleet(services, custom_every)[1])
    apis[-1].hang()
    pipe.send([(api.url, api.token) for api in apis])
    pipe.recv()
    for api in apis:
        api.close()


def start_fakes(kind: str, services: int = 0, custom_every: int = 0) -> tuple[Any, Any, list[Any]]:
    ours, theirs = mp.Pipe()
    child = mp.get_context("spawn").Process(
        target=serve, args=(kind, services, custom_every, theirs), daemon=True
    )
    child.start()
    return child, ours, ours.recv()


def clusters_for(urls: list[tuple[str, str]], folder: Path, **settings: Any) -> ClusterSet:
    contexts = {f"c{i}": url for i, url in enumerate(urls)}
    kubeconfig = write_kubeconfig(folder / "kubeconfig.yaml", contexts)
    return ClusterSet(
        KubernetesSettings.model_validate(
            {
                "clusters": [
                    {
                        "name": f"prod-{i}",
                        "type": "kubeconfig",
                        "kubeconfig": str(kubeconfig),
                        "context": f"c{i}",
                    }
                    for i in range(len(urls))
                ],
                **settings,
            }
        )
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_answer(runs: int, folder: Path) -> list[str]:
    child, pipe, urls = start_fakes("answer")
    entity = k.annotated("payments-api")
    try:
        lines = []
        for label, chosen in (
            ("4 answer, 1 hangs", urls),
            ("all 4 answering (no hang)", urls[:-1]),
        ):
            clusters = clusters_for(chosen, folder)
            check_health(clusters, entity)  # connect + import + warm the models
            times, pods, failed = [], 0, 0
            for _ in range(runs):
                started = time.perf_counter()
                health = check_health(clusters, entity)
                times.append(time.perf_counter() - started)
                pods = sum(len(n.workloads) for c in health.clusters for n in c.namespaces)
                failed = len(health.failed_clusters)
            clusters.close()
            lines.append(
                f"| {label} | {runs} | {statistics.median(times):.2f} s | "
                f"{percentile(times, 99):.2f} s | {max(times):.2f} s | "
                f"{pods} workloads, {failed} failed cluster(s) |"
            )
            print(lines[-1], flush=True)
        return lines
    finally:
        pipe.send("stop")
        child.join(5)


def bench_sweep(services: int, sweeps: int, custom_every: int, folder: Path) -> list[str]:
    documents, _ = fleet(services, custom_every)
    (folder / "catalog").mkdir(parents=True)
    (folder / "catalog" / "catalog-info.yaml").write_text(yaml.safe_dump_all(documents))
    engine = create_database_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade_schema(engine)
    sync_catalog(engine, [DirectorySource("bench", folder / "catalog")])
    catalog = Catalog(engine)
    child, pipe, urls = start_fakes("sweep", services, custom_every)
    lines = []
    try:
        for label, chosen in (("5 clusters, 1 hangs", urls), ("4 clusters, all answer", urls[:-1])):
            clusters = clusters_for(chosen, folder, sweep_timeout_seconds=10)
            clusters.connections()
            for run in range(sweeps):
                started = time.perf_counter()
                report = sweep_health(catalog, clusters)
                seconds = time.perf_counter() - started
                line = (
                    f"| {label} | sweep {run + 1} | {services} | {seconds:.1f} s | "
                    f"{dict(sorted(report.statuses.items()))} | {len(report.notifications)} |"
                )
                print(line, flush=True)
                lines.append(line)
            clusters.close()
    finally:
        pipe.send("stop")
        child.join(5)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--sweeps", type=int, default=3)
    parser.add_argument("--custom-every", type=int, default=10, help="1 in N uses a label selector")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| clusters | runs | p50 | p99 | max | answer |\n|---|---|---|---|---|---|")
        bench_answer(args.runs, folder)
        print("\n| clusters | run | services | time | statuses | notifications |")
        print("|---|---|---|---|---|---|")
        bench_sweep(args.services, args.sweeps, args.custom_every, folder / "sweep")


if __name__ == "__main__":
    main()
