"""What greenroom knows of a pipeline: its catalog shape (which datasets it reads and writes),
its runs as an engine reports them, findings with fixes, and the freshness of what it writes.
Domain data only; rendering lives in commands/pipelines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from catalog import EntityRef
from integrations.kubernetes.finding import Severity

__all__ = [
    "DATASET_TYPES",
    "PIPELINE_TYPES",
    "EngineReport",
    "Freshness",
    "PipelineFinding",
    "PipelineHealth",
    "PipelineSpec",
    "PipelineState",
    "Run",
    "RunState",
    "TaskFailure",
]

#: Component ``spec.type`` values that are pipelines.
PIPELINE_TYPES = frozenset({"data-pipeline", "ml-pipeline"})
#: Resource ``spec.type`` values that are datasets (what pipelines read and write).
DATASET_TYPES = frozenset({"dataset", "table", "topic", "model"})


class RunState(StrEnum):
    """A run as people say it; Airflow's and Kubernetes' states map onto these."""

    SUCCESS = "success"
    FAILED = "failed"
    RUNNING = "running"
    QUEUED = "queued"
    UNKNOWN = "unknown"


class PipelineState(StrEnum):
    """A pipeline's badge: worst first."""

    FAILING = "failing"
    LATE = "late"
    DEGRADED = "degraded"
    UNKNOWN = "unknown"
    HEALTHY = "healthy"

    @property
    def rank(self) -> int:
        return {"failing": 4, "late": 3, "degraded": 2, "unknown": 1, "healthy": 0}[self.value]


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """A pipeline as the catalog describes it: where it runs and which datasets it touches."""

    ref: EntityRef
    title: str
    owner: EntityRef | None
    dag_id: str | None = None
    airflow: str | None = None  # instance name; None: the first configured
    kubernetes_id: str | None = None
    kubernetes_namespace: str | None = None
    label_selector: str | None = None
    expected_interval: timedelta | None = None
    reads: tuple[EntityRef, ...] = ()
    writes: tuple[EntityRef, ...] = ()
    dataset_intervals: tuple[tuple[EntityRef, timedelta], ...] = ()

    @property
    def engines(self) -> tuple[str, ...]:
        found = []
        if self.dag_id:
            found.append("airflow")
        if self.kubernetes_id or self.label_selector:
            found.append("kubernetes")
        return tuple(found)


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A task instance that failed or is retrying, with where to read its log."""

    task_id: str
    state: str
    try_number: int = 1
    max_tries: int = 0
    log_url: str | None = None
    reason: str | None = None  # e.g. OOMKilled for a Kubernetes pod


@dataclass(frozen=True, slots=True)
class Run:
    """One run (a DAG run, or a Kubernetes Job)."""

    run_id: str
    state: RunState
    started_at: datetime | None = None
    ended_at: datetime | None = None
    run_type: str = "scheduled"
    failures: tuple[TaskFailure, ...] = ()
    url: str | None = None

    def seconds(self, now: datetime) -> float | None:
        if self.started_at is None:
            return None
        return ((self.ended_at or now) - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class PipelineFinding:
    """One problem with a pipeline: how bad, where, what it means, what to do."""

    rule: str
    severity: Severity
    source: str  # "airflow prod", "kubernetes prod-eu", "freshness"
    subject: str  # the DAG, CronJob or dataset it is about
    title: str
    explanation: str
    fix: str
    detail: str = ""
    log_url: str | None = None

    @property
    def key(self) -> str:
        """Stable identity across sweeps, for "new" and "resolved"."""
        return "|".join((self.rule, self.source, self.subject, self.detail))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PipelineFinding:
        values = dict(data)
        values["severity"] = Severity(values["severity"])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class EngineReport:
    """What one engine said about a pipeline, or why it said nothing."""

    engine: str  # "airflow", "kubernetes"
    source: str  # "airflow prod", "kubernetes prod-eu"
    subject: str  # DAG id or namespace/cronjob
    runs: tuple[Run, ...] = ()
    last_success: datetime | None = None
    schedule: str | None = None
    interval: timedelta | None = None
    paused: bool = False
    usual_seconds: float | None = None
    url: str | None = None
    findings: tuple[PipelineFinding, ...] = ()
    error: str | None = None

    @property
    def answered(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class Freshness:
    """Is a dataset the pipeline writes up to date? Late when its writer has not succeeded
    within the expected interval (plus grace)."""

    dataset: EntityRef
    writer: EntityRef
    expected: timedelta | None
    last_written: datetime | None
    late_by: timedelta | None = None

    @property
    def late(self) -> bool:
        return self.late_by is not None

    @property
    def known(self) -> bool:
        return self.expected is not None


@dataclass(frozen=True, slots=True)
class PipelineHealth:
    """A pipeline's health across its engines, with the freshness of what it writes."""

    spec: PipelineSpec
    state: PipelineState
    checked_at: datetime
    reports: tuple[EngineReport, ...] = ()
    freshness: tuple[Freshness, ...] = ()
    findings: tuple[PipelineFinding, ...] = ()
    headline: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def entity(self) -> EntityRef:
        return self.spec.ref

    @property
    def last_success(self) -> datetime | None:
        moments = [r.last_success for r in self.reports if r.last_success is not None]
        return max(moments) if moments else None

    @property
    def answered_sources(self) -> frozenset[str]:
        found = {r.source for r in self.reports if r.answered}
        return frozenset(found | {"freshness"})
