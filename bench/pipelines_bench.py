"""Pipelines: the lineage walk over 50,000 pipelines and datasets, and a health sweep of 2,000
pipelines against the loopback Airflow and Kubernetes fakes.

The walk is timed on the graph as greenroom holds it (built once per catalog generation) and
on a merged view with a lineage source's extra edges (what a Slack answer walks). The fakes run
in a child process so their JSON encoding does not compete with the sweep for the GIL.

    .venv/bin/python bench/pipelines_bench.py [--nodes 50000] [--walks 200] [--pipelines 2000]
        [--airflow 2|3]

``--airflow 3`` sweeps against a loopback Airflow 3 (``/api/v2``, a JWT from ``/auth/token``)
instead of Airflow 2; either way greenroom is configured with ``api_version: auto``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
for _proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_proxy, None)

from bot.loopback import kubernetes_objects as k  # noqa: E402
from bot.loopback.airflow_api import FakeAirflow, dag, dag_run, task_instance  # noqa: E402
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig  # noqa: E402
from catalog import Catalog  # noqa: E402
from catalog.database import create_database_engine, upgrade_schema  # noqa: E402
from catalog.sources.directory import DirectorySource  # noqa: E402
from catalog.sync import sync_catalog  # noqa: E402
from integrations.kubernetes import ClusterSet, KubernetesSettings  # noqa: E402
from integrations.pipelines import (  # noqa: E402
    Direction,
    Engines,
    LineageGraph,
    NodeInfo,
    PipelinesSettings,
    Role,
    sweep_pipelines,
)

PASSWORD = "bench-pass"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def lineage_graph(nodes: int, seed: int = 7) -> tuple[LineageGraph, list[str], list[str]]:
    """A layered data platform: a fifth pipelines, the rest datasets; each pipeline reads 3
    datasets of earlier layers and writes 4; a few loops and datasets missing from the catalog."""
    rng = random.Random(seed)
    graph = LineageGraph()
    pipelines = nodes // 5
    datasets = nodes - pipelines
    teams = [f"group:default/team-{i}" for i in range(200)]
    from catalog import parse_ref

    owners = [parse_ref(t) for t in teams]
    data_ids = [f"resource:default/ds-{i}" for i in range(datasets)]
    for i, key in enumerate(data_ids):
        missing = i % 997 == 0
        graph.add_node(
            NodeInfo(
                key,
                f"ds-{i}",
                Role.DATASET,
                parse_ref(key),
                None if missing else owners[i % 200],
                in_catalog=not missing,
            )
        )
    written = 0
    sources = data_ids[: datasets // 10]  # raw tables nobody writes
    for p in range(pipelines):
        key = f"component:default/pl-{p}"
        graph.add_node(NodeInfo(key, f"pl-{p}", Role.PIPELINE, parse_ref(key), owners[p % 200]))
        frontier = max(len(sources), datasets // 10 + written)
        for _ in range(3):
            graph.add_edge(data_ids[rng.randrange(0, min(frontier, datasets))], key)
        for _ in range(4):
            target = datasets // 10 + written % (datasets - datasets // 10)
            graph.add_edge(key, data_ids[target])
            written += 1
    for _ in range(20):  # loops: a late dataset fed back into an early pipeline
        graph.add_edge(
            data_ids[rng.randrange(datasets // 2, datasets)],
            f"component:default/pl-{rng.randrange(0, 50)}",
        )
    roots_down = rng.sample(sources, 50)
    roots_up = rng.sample(data_ids[-datasets // 5 :], 50)
    return graph.seal(), roots_down, roots_up


def bench_walk(nodes: int, walks: int) -> list[str]:
    started = time.perf_counter()
    graph, down_roots, up_roots = lineage_graph(nodes)
    built = time.perf_counter() - started
    started = time.perf_counter()
    graph.walk(down_roots[0], direction=Direction.DOWN)  # computes the loops once
    loops = time.perf_counter() - started
    print(
        f"graph of {len(graph):,} nodes built and sealed in {built:.2f} s "
        f"(first walk {loops * 1000:.0f} ms)"
    )
    lines = []
    extra = [
        NodeInfo(
            f"openlineage:dataset:x{i}",
            f"x{i}",
            Role.DATASET,
            in_catalog=False,
            source="openlineage",
        )
        for i in range(100)
    ]
    extra_edges = [(down_roots[i % 50], f"openlineage:dataset:x{i}") for i in range(100)]
    for label, direction, roots, depth in (
        ("downstream, all levels", Direction.DOWN, down_roots, None),
        ("upstream, all levels", Direction.UP, up_roots, None),
        ("downstream, 3 levels", Direction.DOWN, down_roots, 3),
    ):
        times: list[float] = []
        cpu: list[float] = []
        reached = []
        for i in range(walks):
            root = roots[i % len(roots)]
            t, c = time.perf_counter(), time.thread_time()
            walk = graph.walk(root, direction=direction, depth=depth, limit=nodes)
            times.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
            reached.append(len(walk))
        lines.append(
            f"| {label} | {walks} | {statistics.median(reached):,.0f} | "
            f"{statistics.median(times) * 1000:.1f} ms | {percentile(times, 99) * 1000:.1f} ms | "
            f"{max(times) * 1000:.1f} ms | {percentile(cpu, 99) * 1000:.1f} ms |"
        )
        print(lines[-1], flush=True)
    times = []
    for i in range(max(walks // 10, 5)):
        t = time.perf_counter()
        view = graph.merged(extra, extra_edges)
        view.walk(down_roots[i % 50], direction=Direction.DOWN, limit=nodes)
        times.append(time.perf_counter() - t)
    lines.append(
        f"| merged with 100 OpenLineage edges, downstream | {len(times)} | - | "
        f"{statistics.median(times) * 1000:.1f} ms | {percentile(times, 99) * 1000:.1f} ms | "
        f"{max(times) * 1000:.1f} ms | - |"
    )
    print(lines[-1], flush=True)
    return lines


def fleet(
    pipelines: int, now: datetime
) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]], list[dict[str, Any]]]:
    """Catalog documents; the DAGs and runs Airflow has; the CronJobs, Jobs and pods."""
    documents: list[dict[str, Any]] = [
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Group",
            "metadata": {"name": f"team-{t}", "annotations": {"slack.com/channel": f"#team-{t}"}},
            "spec": {"type": "team", "children": []},
        }
        for t in range(40)
    ]
    dags: list[tuple[Any, ...]] = []
    objects: list[dict[str, Any]] = []
    for i in range(pipelines):
        name = f"pl-{i:05d}"
        on_k8s = i % 4 == 3
        annotations = (
            {"backstage.io/kubernetes-id": name, "backstage.io/kubernetes-namespace": "data"}
            if on_k8s
            else {"greenroom.dev/airflow-dag-id": name.replace("-", "_")}
        )
        documents.append(
            {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": name, "annotations": annotations},
                "spec": {
                    "type": "data-pipeline",
                    "lifecycle": "production",
                    "owner": f"team-{i % 40}",
                    "dependsOn": [f"resource:ds-{i - 1:05d}"] if i else [],
                    "dependencyOf": [f"resource:ds-{i:05d}"],
                },
            }
        )
        documents.append(
            {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Resource",
                "metadata": {
                    "name": f"ds-{i:05d}",
                    "annotations": {"greenroom.dev/expected-interval": "2h"},
                },
                "spec": {"type": "dataset", "owner": f"team-{i % 40}"},
            }
        )
        failing = i % 10 == 0
        if on_k8s:
            last = now - timedelta(hours=1)
            objects.append(
                k.cronjob(
                    name,
                    schedule=f"{last.minute} * * * *",
                    last_schedule=last,
                    last_success=last if not failing else now - timedelta(hours=5),
                )
            )
            objects.append(
                k.job(
                    f"{name}-1",
                    cronjob_name=name,
                    started=last,
                    outcome="Failed" if failing else "Complete",
                )
            )
            if failing:
                objects.append(k.job_pod(f"{name}-1", labels={k.KUBE_ID: name}, finished=last))
        else:
            dag_id = name.replace("-", "_")
            runs = [
                dag_run(dag_id, now - timedelta(minutes=70) - timedelta(hours=h), "success")
                for h in range(1, 6)
            ]
            state = "failed" if failing else "success"
            tasks = (
                task_instance("extract"),
                task_instance("load", "failed" if failing else "success"),
            )
            runs.append(dag_run(dag_id, now - timedelta(minutes=70), state, tasks=tasks))
            dags.append((dag(dag_id), *runs))
    return documents, dags, objects


def serve(pipelines: int, now: datetime, pipe: Any, airflow_major: int = 2) -> None:
    """Child process: the fake Airflow and Kubernetes API, until told to stop."""
    _, dags, objects = fleet(pipelines, now)
    airflow = FakeAirflow(password=PASSWORD, api_version=airflow_major - 1).start()
    for item in dags:
        airflow.add(*item)
    kube = FakeKubernetesApi().start()
    kube.add(*objects)
    pipe.send((airflow.url, kube.url, kube.token))
    pipe.recv()
    airflow.close()
    kube.close()


def bench_sweep(pipelines: int, sweeps: int, folder: Path, airflow_major: int = 2) -> list[str]:
    now = datetime.now(UTC)
    documents, _, _ = fleet(pipelines, now)
    (folder / "catalog").mkdir(parents=True)
    (folder / "catalog" / "catalog-info.yaml").write_text(yaml.safe_dump_all(documents))
    engine = create_database_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade_schema(engine)
    started = time.perf_counter()
    sync_catalog(engine, [DirectorySource("bench", folder / "catalog")])
    print(f"catalog of {len(documents):,} entities synced in {time.perf_counter() - started:.1f} s")
    catalog = Catalog(engine)
    ours, theirs = mp.Pipe()
    child = mp.get_context("spawn").Process(
        target=serve, args=(pipelines, now, theirs, airflow_major), daemon=True
    )
    child.start()
    airflow_url, kube_url, token = ours.recv()
    kubeconfig = write_kubeconfig(folder / "kubeconfig.yaml", {"fake": (kube_url, token)})
    clusters = ClusterSet(
        KubernetesSettings.model_validate(
            {
                "clusters": [
                    {
                        "name": "prod",
                        "type": "kubeconfig",
                        "kubeconfig": str(kubeconfig),
                        "context": "fake",
                    }
                ]
            }
        )
    )
    settings = PipelinesSettings.model_validate(
        {
            "airflow": [
                {"name": "prod", "url": airflow_url, "username": "greenroom", "password_env": "X"}
            ]
        }
    ).with_env({"X": PASSWORD})
    lines = []
    try:
        for run in range(sweeps):
            engines = Engines(
                settings, clusters, timeout=10, workers=settings.sweep_concurrency * 3
            )
            started = time.perf_counter()
            report = sweep_pipelines(catalog, engines)
            seconds = time.perf_counter() - started
            engines.close()
            line = (
                f"| sweep {run + 1} | {pipelines:,} | {seconds:.1f} s | "
                f"{dict(sorted(report.states.items()))} | {len(report.notifications)} | "
                f"{len(report.unreachable)} |"
            )
            print(line, flush=True)
            lines.append(line)
    finally:
        clusters.close()
        ours.send("stop")
        child.join(5)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=50_000)
    parser.add_argument("--walks", type=int, default=200)
    parser.add_argument("--pipelines", type=int, default=2000)
    parser.add_argument("--sweeps", type=int, default=2)
    parser.add_argument("--airflow", type=int, choices=(2, 3), default=2, help="major version")
    args = parser.parse_args()
    print(
        "| walk | runs | nodes reached (median) | p50 | p99 | max | CPU p99 |\n"
        "|---|---|---|---|---|---|---|"
    )
    bench_walk(args.nodes, args.walks)
    with tempfile.TemporaryDirectory() as tmp:
        print("\n| run | pipelines | time | states | notifications | unreachable |")
        print("|---|---|---|---|---|---|")
        bench_sweep(args.pipelines, args.sweeps, Path(tmp), args.airflow)


if __name__ == "__main__":
    main()
