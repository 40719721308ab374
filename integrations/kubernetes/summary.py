"""The answer to "is this service healthy in Kubernetes?", as data the Slack command renders:
per cluster and namespace each workload with ready/desired, restarts, HPA current/max, image
tag and age; the findings, worst first; one overall status for a badge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from catalog import EntityRef
from integrations.kubernetes.batch import BatchWorkload
from integrations.kubernetes.discovery import WorkloadSelector
from integrations.kubernetes.fetch import ClusterAnswer, ClusterState
from integrations.kubernetes.finding import Finding, Severity, sort_findings
from integrations.kubernetes.findings import find_problems
from integrations.kubernetes.resources import ClusterObjects, PodInfo

__all__ = [
    "AutoscalerRange",
    "ClusterSummary",
    "HealthStatus",
    "KubernetesHealth",
    "NamespaceSummary",
    "WorkloadSummary",
    "image_tag",
    "summarize",
]


class HealthStatus(StrEnum):
    """The badge: ``failing`` (a critical finding), ``degraded`` (a warning), ``healthy``, or
    ``unknown`` (no annotations, nothing found, or no cluster answered)."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"
    FAILING = "failing"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AutoscalerRange:
    """An HPA's replicas now and its bounds."""

    current: int | None
    min: int | None
    max: int


@dataclass(frozen=True, slots=True)
class WorkloadSummary:
    """One line of the answer: a Deployment, StatefulSet or a pod without one."""

    kind: str
    name: str
    ready: int
    desired: int
    restarts: int
    autoscaler: AutoscalerRange | None
    image_tags: tuple[str, ...]
    created_at: datetime | None
    age_seconds: int | None


@dataclass(frozen=True, slots=True)
class NamespaceSummary:
    """The workloads of one namespace."""

    name: str
    workloads: tuple[WorkloadSummary, ...]


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """One cluster: what it runs, or why it did not answer (``reason``)."""

    name: str
    state: ClusterState
    reason: str | None
    problems: tuple[str, ...]
    namespaces: tuple[NamespaceSummary, ...]


@dataclass(frozen=True, slots=True)
class KubernetesHealth:
    """A service's Kubernetes health across clusters; ``message`` explains an ``unknown``."""

    entity: EntityRef
    status: HealthStatus
    checked_at: datetime
    selector: WorkloadSelector | None
    clusters: tuple[ClusterSummary, ...]
    findings: tuple[Finding, ...]
    message: str | None = None
    #: CronJobs and Jobs, read only when no cluster runs a Deployment or StatefulSet for it
    batch: tuple[BatchWorkload, ...] = ()

    @property
    def failed_clusters(self) -> tuple[ClusterSummary, ...]:
        """Clusters that did not answer (named with the reason)."""
        return tuple(c for c in self.clusters if c.state is ClusterState.FAILED)

    @property
    def answered_clusters(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.clusters if c.state is ClusterState.OK)

    @property
    def headline(self) -> str:
        """One line for a badge tooltip or a list."""
        if self.message:
            return self.message
        if not self.findings:
            return "all healthy"
        worst = self.findings[0]
        more = f" (+{len(self.findings) - 1} more)" if len(self.findings) > 1 else ""
        return f"{worst.title}{more}"


def summarize(
    entity: EntityRef,
    selector: WorkloadSelector,
    answers: Sequence[ClusterAnswer],
    *,
    now: datetime,
    recent: timedelta = timedelta(hours=1),
) -> KubernetesHealth:
    """The health of one service from what every cluster answered."""
    findings: list[Finding] = []
    clusters = []
    for answer in answers:
        if answer.state is ClusterState.OK:
            findings += find_problems(answer.cluster, answer.objects, now=now, recent=recent)
        clusters.append(
            ClusterSummary(
                answer.cluster,
                answer.state,
                answer.reason,
                answer.problems,
                _namespaces(answer.objects, now),
            )
        )
    ordered = tuple(sort_findings(findings))
    answered = [a for a in answers if a.state is ClusterState.OK]
    message = None
    if not answers:
        message = "no Kubernetes clusters are configured"
    elif not answered:
        message = "no cluster answered"
    elif all(a.objects.empty for a in answered):
        where = f" in namespace {selector.namespace}" if selector.namespace else ""
        message = f"nothing matches {selector.label_selector}{where}"
    return KubernetesHealth(
        entity=entity,
        status=_status(ordered) if message is None else HealthStatus.UNKNOWN,
        checked_at=now,
        selector=selector,
        clusters=tuple(clusters),
        findings=ordered,
        message=message,
    )


def _status(findings: Sequence[Finding]) -> HealthStatus:
    worst = max((f.severity.rank for f in findings), default=0)
    if worst >= Severity.CRITICAL.rank:
        return HealthStatus.FAILING
    if worst >= Severity.WARNING.rank:
        return HealthStatus.DEGRADED
    return HealthStatus.HEALTHY


def _namespaces(objects: ClusterObjects, now: datetime) -> tuple[NamespaceSummary, ...]:
    pods_of: dict[tuple[str, str, str], list[PodInfo]] = defaultdict(list)
    for pod in objects.pods:
        pods_of[(pod.namespace, pod.owner_kind or "", pod.owner_name or "")].append(pod)
    scaling = {(h.namespace, h.target_kind, h.target_name): h for h in objects.autoscalers}
    rows: dict[str, list[WorkloadSummary]] = defaultdict(list)
    for w in objects.workloads:
        pods = pods_of.pop((w.namespace, w.kind, w.name), [])
        hpa = scaling.get((w.namespace, w.kind, w.name))
        rows[w.namespace].append(
            WorkloadSummary(
                kind=w.kind,
                name=w.name,
                ready=w.ready,
                desired=w.desired,
                restarts=sum(c.restart_count for p in pods for c in p.containers),
                autoscaler=AutoscalerRange(hpa.current_replicas, hpa.min_replicas, hpa.max_replicas)
                if hpa
                else None,
                image_tags=tuple(dict.fromkeys(image_tag(i) for i in w.images)),
                created_at=w.created_at,
                age_seconds=_age(w.created_at, now),
            )
        )
    for pods in pods_of.values():  # pods of no workload we read: one line each
        for pod in pods:
            rows[pod.namespace].append(
                WorkloadSummary(
                    kind="Pod",
                    name=pod.name,
                    ready=sum(c.ready for c in pod.containers),
                    desired=len(pod.containers),
                    restarts=sum(c.restart_count for c in pod.containers),
                    autoscaler=None,
                    image_tags=tuple(dict.fromkeys(image_tag(c.image) for c in pod.containers)),
                    created_at=pod.created_at,
                    age_seconds=_age(pod.created_at, now),
                )
            )
    return tuple(
        NamespaceSummary(ns, tuple(sorted(items, key=lambda r: (r.kind, r.name))))
        for ns, items in sorted(rows.items())
    )


def image_tag(image: str) -> str:
    """``registry:5000/team/app:1.4.2`` -> ``1.4.2``; a digest is shortened; no tag = latest."""
    name, _, digest = image.partition("@")
    if digest:
        return digest[:19]
    last = name.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else "latest"


def _age(created: datetime | None, now: datetime) -> int | None:
    return max(int((now - created).total_seconds()), 0) if created else None
