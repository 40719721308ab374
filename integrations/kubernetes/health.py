"""``/greenroom k8s <entity>``: one service's health across every cluster, in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from catalog import Entity
from integrations.kubernetes.clients import ClusterSet
from integrations.kubernetes.discovery import selector_for
from integrations.kubernetes.fetch import WorkloadQuery, collect
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
    return summarize(entity.ref, selector, answers, now=now, recent=recent)
