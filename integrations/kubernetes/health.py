"""``/greenroom k8s <entity>``: one service's health across every cluster, in time."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from catalog import Entity
from integrations.kubernetes.batch import BatchWorkload, find_batch
from integrations.kubernetes.clients import ClusterSet
from integrations.kubernetes.discovery import selector_for
from integrations.kubernetes.fetch import ClusterState, WorkloadQuery, collect
from integrations.kubernetes.summary import HealthStatus, KubernetesHealth, summarize

__all__ = ["NOT_ANNOTATED", "check_health"]

NOT_ANNOTATED = (
    "no Kubernetes annotations: add backstage.io/kubernetes-id (or "
    "backstage.io/kubernetes-label-selector) to its catalog-info.yaml"
)
_RESERVE = 0.3  # of the deadline, kept for findings and the summary (and a busy CPU)


def check_health(
    clusters: ClusterSet,
    entity: Entity,
    *,
    timeout: float | None = None,
    now: datetime | None = None,
) -> KubernetesHealth:
    """The entity's workloads, findings and status; returns within ``timeout`` (default
    ``timeout_seconds``, 2.5 s) whatever the clusters do. Raises ``InvalidEntity`` for a
    malformed Kubernetes annotation."""
    settings = clusters.settings
    now = now or datetime.now(UTC)
    selector = selector_for(entity)
    if selector is None:
        return KubernetesHealth(
            entity.ref, HealthStatus.UNKNOWN, now, None, (), (), message=NOT_ANNOTATED
        )
    deadline = timeout if timeout is not None else settings.timeout_seconds
    started = time.monotonic()
    query = WorkloadQuery(selector.label_selector, selector.namespace)
    recent = timedelta(minutes=settings.event_window_minutes)
    answers = collect(
        clusters.connections(),
        [query],
        timeout=max(deadline - _RESERVE, 0.05),
        concurrency=8,
        event_window=recent,
        now=now,
        label_seconds=deadline,
    )[query]
    health = summarize(entity.ref, selector, answers, now=now, recent=recent)
    answered = {a.cluster for a in answers if a.state is ClusterState.OK}
    if not answered or any(a.objects.workloads for a in answers):
        return health
    # No Deployment or StatefulSet anywhere: a CronJob may be what runs it (a data job).
    connections = [c for c in clusters.connections() if c.name in answered]
    left = deadline - _RESERVE - (time.monotonic() - started)
    batch = find_batch(connections, query, timeout=left)
    if not batch:
        return health
    return replace(health, status=HealthStatus.UNKNOWN, message=batch_message(batch), batch=batch)


def batch_message(batch: tuple[BatchWorkload, ...]) -> str:
    """Why the answer has no workloads: it runs as CronJobs/Jobs, which have runs, not replicas."""
    cronjobs = sum(1 for b in batch if b.kind == "CronJob")
    jobs = len(batch) - cronjobs
    parts = [
        f"{n} {kind}{'s' if n != 1 else ''}"
        for n, kind in ((cronjobs, "CronJob"), (jobs, "Job"))
        if n
    ]
    return (
        f"it runs as {' and '.join(parts)}, no Deployment or StatefulSet: the pipeline answer "
        "shows their runs, failures and freshness"
    )
