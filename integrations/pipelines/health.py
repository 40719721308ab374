"""One pipeline's health across its engines, within a deadline: each engine is asked in its
own thread, and one that has not answered when the deadline passes is named in the answer
("Airflow prod did not answer within 2.5 s") instead of holding it up.

``Engines`` holds what a process asks: one HTTP client per Airflow (pooled connections, made
once), the Kubernetes clusters, and a thread pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait as wait_for
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from catalog import GreenroomError
from integrations.kubernetes.finding import Severity
from integrations.pipelines.airflow import AirflowClient, airflow_report
from integrations.pipelines.config import PipelinesSettings
from integrations.pipelines.cronjobs import cluster_report, selector_of
from integrations.pipelines.errors import EngineUnreachable
from integrations.pipelines.freshness import freshness_of, late_finding
from integrations.pipelines.model import (
    EngineReport,
    PipelineFinding,
    PipelineHealth,
    PipelineSpec,
    PipelineState,
)

if TYPE_CHECKING:
    from integrations.kubernetes.clients import ClusterSet

__all__ = ["Engines", "check_pipeline", "summarize"]


class Engines:
    """Airflow clients, the clusters and a thread pool, made once per process (or sweep)."""

    def __init__(
        self,
        settings: PipelinesSettings,
        clusters: ClusterSet | None = None,
        *,
        timeout: float | None = None,
        workers: int = 16,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.clusters = clusters
        self.timeout = timeout or settings.timeout_seconds
        self.transport = transport
        self._airflow: dict[str, AirflowClient] = {}
        self._lock = threading.Lock()
        #: answers worth keeping a few minutes (Airflow's datasets), with when they came
        self.cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pipelines")

    def airflow(self, name: str | None) -> AirflowClient:
        """The client of the named Airflow (None: the first configured)."""
        instance = self.settings.instance(name)
        if instance is None:
            if not self.settings.airflow:
                raise EngineUnreachable(
                    "No Airflow is configured: add it under pipelines.airflow in greenroom.yaml"
                )
            known = ", ".join(a.name for a in self.settings.airflow)
            raise EngineUnreachable(f"No Airflow named {name!r} is configured (known: {known})")
        with self._lock:
            client = self._airflow.get(instance.name)
            if client is None:
                client = AirflowClient(instance, timeout=self.timeout, transport=self.transport)
                self._airflow[instance.name] = client
            return client

    def close(self) -> None:
        """Close the HTTP clients and stop the threads (hanging calls are left to time out)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            for client in self._airflow.values():
                client.close()
            self._airflow.clear()


def check_pipeline(
    engines: Engines,
    spec: PipelineSpec,
    *,
    now: datetime | None = None,
    deadline: float | None = None,
) -> PipelineHealth:
    """Ask every engine the pipeline runs on, at once; give up on those still silent after
    ``deadline`` seconds (None: wait for each call's own timeout)."""
    now = now or datetime.now(UTC)
    settings = engines.settings
    asks: list[tuple[str, Callable[[], EngineReport | None]]] = []
    if spec.dag_id:
        dag_id = spec.dag_id

        def ask_airflow() -> EngineReport:
            client = engines.airflow(spec.airflow)
            return airflow_report(client, dag_id, now=now, grace=settings.late_grace)

        label = f"airflow {spec.airflow or (settings.airflow[0].name if settings.airflow else '?')}"
        asks.append((label, ask_airflow))
    selector = selector_of(spec)
    notes: list[str] = []
    if selector is not None:
        if engines.clusters is None or not engines.clusters.names:
            notes.append("It has Kubernetes annotations, but no cluster is configured.")
        else:
            for connection in engines.clusters.connections():

                def ask_cluster(c=connection, s=selector) -> EngineReport | None:  # type: ignore[no-untyped-def]
                    return cluster_report(c, spec, s, now=now, timeout=engines.timeout)

                asks.append((f"kubernetes {connection.name}", ask_cluster))
    if not spec.engines:
        notes.append(
            "No engine annotations: add greenroom.dev/airflow-dag-id or "
            "backstage.io/kubernetes-id to see its runs."
        )
    reports = _gather(engines, asks, deadline)
    if selector is not None and not notes and not any(r.engine == "kubernetes" for r in reports):
        notes.append(f"No CronJob or Job matches {selector} in any cluster.")
    return summarize(spec, reports, now=now, grace=settings.late_grace, notes=tuple(notes))


def _gather(
    engines: Engines,
    asks: list[tuple[str, Callable[[], EngineReport | None]]],
    deadline: float | None,
) -> list[EngineReport]:
    futures: list[tuple[str, Future[EngineReport | None]]] = [
        (label, engines.pool.submit(ask)) for label, ask in asks
    ]
    if futures:
        wait_for([f for _, f in futures], timeout=deadline)
    reports: list[EngineReport] = []
    for label, future in futures:
        engine = label.split(" ", 1)[0]
        name = _display(label)
        if not future.done():
            future.cancel()
            reports.append(
                EngineReport(
                    engine, label, "", error=f"{name} did not answer within {deadline:g} s"
                )
            )
            continue
        try:
            report = future.result()
        except GreenroomError as error:
            reports.append(EngineReport(engine, label, "", error=error.user_message))
            continue
        if report is not None:
            reports.append(report)
    return reports


def _display(label: str) -> str:
    engine, _, name = label.partition(" ")
    return f"{'Airflow' if engine == 'airflow' else 'Kubernetes cluster'} {name}".strip()


def summarize(
    spec: PipelineSpec,
    reports: list[EngineReport],
    *,
    now: datetime,
    grace: float,
    notes: tuple[str, ...] = (),
) -> PipelineHealth:
    """Reports, freshness and findings become one state and a headline."""
    freshness = freshness_of(spec, reports, now=now, grace=grace)
    findings: list[PipelineFinding] = [f for r in reports for f in r.findings]
    findings += [late_finding(f) for f in freshness if f.late]
    findings.sort(key=lambda f: (-f.severity.rank, f.source, f.subject, f.rule))
    answered = [r for r in reports if r.answered]
    if any(f.severity is Severity.CRITICAL for f in findings):
        state = PipelineState.FAILING
    elif any(f.late for f in freshness):
        state = PipelineState.LATE
    elif any(f.severity is Severity.WARNING for f in findings):
        state = PipelineState.DEGRADED
    elif not answered:
        state = PipelineState.UNKNOWN
    else:
        state = PipelineState.HEALTHY
    if findings:
        headline = findings[0].title
    elif not answered:
        errors = [r.error for r in reports if r.error]
        headline = errors[0] if errors else (notes[0] if notes else "No engine reported it")
    else:
        headline = "Last runs succeeded and what it writes is fresh"
    return PipelineHealth(
        spec,
        state,
        now,
        tuple(reports),
        freshness,
        tuple(findings),
        headline[:500],
        notes,
    )
