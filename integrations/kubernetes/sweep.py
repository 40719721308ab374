"""The health sweep: every annotated service checked, its status kept for the Home tab, and
the problems that appeared or cleared since the last sweep returned as notifications.

Services found by ``backstage.io/kubernetes-id`` are read in batches (one
``backstage.io/kubernetes-id in (...)`` list per 100 ids and namespace, split by label
afterwards), so 1,000 services cost a few calls per cluster instead of thousands. Services with
their own label selector are read one by one, ``sweep_concurrency`` calls at a time per cluster.

A problem (a warning or critical finding) is reported once when it appears (the once-only rule
of integrations/incidents.py, shared with the pipelines sweep). It is resolved
after ``resolve_after_sweeps`` sweeps in a row in which its cluster answered without it (two by
default, so a crash-looping container caught while briefly running does not flap). A cluster
that did not answer resolves nothing. Notifications are returned, not sent: delivery is the
worker's (at most once: state is committed before it sends).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, delete, insert, select, text

from catalog import Catalog, EntityRef, GreenroomError, parse_ref
from catalog.database import one_of, writer
from integrations.incidents import (
    Change,
    Observation,
    Problem,
    forget_entities,
    record_problems,
)
from integrations.kubernetes.batch import BatchWorkload, find_batch, find_batch_by_label
from integrations.kubernetes.clients import ClusterSet
from integrations.kubernetes.config import KubernetesSettings
from integrations.kubernetes.discovery import (
    KUBERNETES_ID,
    WorkloadSelector,
    id_selector,
    selector_for,
)
from integrations.kubernetes.fetch import (
    ClusterAnswer,
    ClusterState,
    WorkloadQuery,
    collect,
    split_by_label,
)
from integrations.kubernetes.finding import Finding, Severity
from integrations.kubernetes.health import batch_message
from integrations.kubernetes.resources import ClusterObjects
from integrations.kubernetes.routing import ChannelRouter
from integrations.kubernetes.summary import HealthStatus, KubernetesHealth, summarize
from integrations.kubernetes.tables import k8s_health, k8s_problems

__all__ = [
    "Change",
    "HealthNotification",
    "HealthNotifier",
    "SweepReport",
    "notify_all",
    "sweep_health",
]

_BATCH = 100
_QUERIES_PER_ROUND = 50


@dataclass(frozen=True, slots=True)
class HealthNotification:
    """One message for a team channel: a problem that appeared, or one that cleared."""

    change: Change
    entity: EntityRef
    owner: EntityRef | None
    channel: str | None
    finding: Finding
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What a sweep did: how many services in which state, and what to tell whom."""

    checked_at: datetime
    seconds: float
    statuses: dict[str, int]
    notifications: tuple[HealthNotification, ...]
    unreachable: tuple[tuple[str, str], ...]  # (cluster, reason) of clusters that failed
    invalid: tuple[tuple[EntityRef, str], ...]  # entities whose annotations are malformed


class HealthNotifier(Protocol):
    """Where notifications go (the worker posts them to Slack)."""

    def notify(self, notification: HealthNotification) -> None: ...


def notify_all(
    notifications: Iterable[HealthNotification], notifier: HealthNotifier
) -> list[tuple[HealthNotification, str]]:
    """Send each notification; one that fails does not stop the others. Returns the failures."""
    failed = []
    for notification in notifications:
        try:
            notifier.notify(notification)
        except GreenroomError as error:
            failed.append((notification, error.user_message))
    return failed


def sweep_health(
    catalog: Catalog, clusters: ClusterSet, *, now: datetime | None = None
) -> SweepReport:
    """Check every service with Kubernetes annotations, store the results, return what changed."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    selected: dict[EntityRef, WorkloadSelector] = {}
    invalid: list[tuple[EntityRef, str]] = []
    for stored in catalog.entities():
        try:
            selector = selector_for(stored.entity)
        except GreenroomError as error:
            invalid.append((stored.ref, error.user_message))
            continue
        if selector is not None:
            selected[stored.ref] = selector
    healths = _evaluate(selected, clusters, now)
    for ref, reason in invalid:  # shown as unknown; its open problems stay as they are
        healths[ref] = KubernetesHealth(ref, HealthStatus.UNKNOWN, now, None, (), (), reason)
    with writer(catalog.engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('greenroom-k8s-sweep'))"))
        changes = _record(conn, healths, now, clusters.settings)
    router = ChannelRouter(catalog, clusters.settings)
    notifications = []
    for change, entity, finding, first_seen in changes:
        owner, channel = router.route(entity)
        notifications.append(
            HealthNotification(change, entity, owner, channel, finding, first_seen)
        )
    unreachable = {(c.name, c.reason or "") for h in healths.values() for c in h.failed_clusters}
    return SweepReport(
        checked_at=now,
        seconds=time.monotonic() - started,
        statuses=dict(Counter(h.status.value for h in healths.values())),
        notifications=tuple(notifications),
        unreachable=tuple(sorted(unreachable)),
        invalid=tuple(invalid),
    )


def _evaluate(
    selected: dict[EntityRef, WorkloadSelector], clusters: ClusterSet, now: datetime
) -> dict[EntityRef, KubernetesHealth]:
    settings = clusters.settings
    recent = timedelta(minutes=settings.event_window_minutes)
    by_namespace: dict[str | None, list[str]] = defaultdict(list)
    custom: set[WorkloadQuery] = set()
    for selector in selected.values():
        if selector.kubernetes_id is not None:
            by_namespace[selector.namespace].append(selector.kubernetes_id)
        else:
            custom.add(WorkloadQuery(selector.label_selector, selector.namespace))
    batches: list[WorkloadQuery] = []
    batch_of: dict[tuple[str | None, str], WorkloadQuery] = {}
    for namespace, ids in sorted(by_namespace.items(), key=lambda i: i[0] or ""):
        unique = sorted(set(ids))
        for start in range(0, len(unique), _BATCH):
            chunk = unique[start : start + _BATCH]
            batches.append(WorkloadQuery(id_selector(chunk), namespace))
            batch_of |= {(namespace, kube_id): batches[-1] for kube_id in chunk}
    answers = _collect_rounds(clusters, [*batches, *sorted(custom, key=str)], now, recent)
    split = {query: [_split(answer) for answer in answers[query]] for query in batches}
    healths: dict[EntityRef, KubernetesHealth] = {}
    idle: dict[EntityRef, tuple[WorkloadQuery, set[str]]] = {}
    for ref, selector in selected.items():
        if selector.kubernetes_id is None:
            query = WorkloadQuery(selector.label_selector, selector.namespace)
            mine = answers[query]
        else:
            query = batch_of[(selector.namespace, selector.kubernetes_id)]
            mine = [per_id(selector.kubernetes_id) for per_id in split[query]]
        healths[ref] = summarize(ref, selector, mine, now=now, recent=recent)
        answered = {a.cluster for a in mine if a.state is ClusterState.OK}
        if answered and not any(a.objects.workloads for a in mine):
            idle[ref] = (query, answered)
    return healths | _batch_only(selected, healths, idle, clusters)


def _batch_only(
    selected: dict[EntityRef, WorkloadSelector],
    healths: dict[EntityRef, KubernetesHealth],
    idle: dict[EntityRef, tuple[WorkloadQuery, set[str]]],
    clusters: ClusterSet,
) -> dict[EntityRef, KubernetesHealth]:
    """Services with no Deployment or StatefulSet where clusters answered: those that run as
    CronJobs or Jobs say so (as the ``k8s`` answer does), not "nothing matches". One list of
    CronJobs and one of Jobs per batched query, in the clusters that answered it."""
    timeout = clusters.settings.sweep_timeout_seconds
    connections = clusters.connections()
    found: dict[WorkloadQuery, dict[str, tuple[BatchWorkload, ...]]] = {}
    for query, answered in dict(idle.values()).items():
        alive = [c for c in connections if c.name in answered]
        if query.label_selector.startswith(f"{KUBERNETES_ID} in ("):
            found[query] = find_batch_by_label(alive, query, KUBERNETES_ID, timeout=timeout)
        else:  # a service's own selector: all it finds is that service's
            found[query] = {"": find_batch(alive, query, timeout=timeout)}
    updated: dict[EntityRef, KubernetesHealth] = {}
    for ref, (query, _) in idle.items():
        selector = selected[ref]
        key = selector.kubernetes_id if selector.kubernetes_id is not None else ""
        batch = found[query].get(key, ())
        if batch:
            health = healths[ref]
            updated[ref] = replace(health, message=batch_message(batch), batch=batch)
    return updated


def _split(answer: ClusterAnswer) -> Callable[[str], ClusterAnswer]:
    """A batched answer, cut per kubernetes id (a failure is every id's failure)."""
    if answer.state is not ClusterState.OK:
        return lambda _: answer
    groups = split_by_label(answer.objects, KUBERNETES_ID)

    def one(kube_id: str) -> ClusterAnswer:
        objects = groups.get(kube_id, ClusterObjects())
        problems = answer.problems if not objects.empty else ()
        return ClusterAnswer(answer.cluster, answer.state, objects, problems=problems)

    return one


def _collect_rounds(
    clusters: ClusterSet, queries: Sequence[WorkloadQuery], now: datetime, recent: timedelta
) -> dict[WorkloadQuery, list[ClusterAnswer]]:
    """Queries in rounds; a cluster that fails a whole round is not asked again this sweep."""
    settings = clusters.settings
    connections = clusters.connections()
    down: dict[str, str] = {}
    result: dict[WorkloadQuery, list[ClusterAnswer]] = {}
    for start in range(0, len(queries), _QUERIES_PER_ROUND):
        chunk = queries[start : start + _QUERIES_PER_ROUND]
        alive = [c for c in connections if c.name not in down]
        answers = collect(
            alive,
            chunk,
            timeout=settings.sweep_timeout_seconds,
            concurrency=settings.sweep_concurrency,
            event_window=recent,
            now=now,
        )
        for connection in alive:
            states = [a for q in chunk for a in answers[q] if a.cluster == connection.name]
            if states and all(a.state is ClusterState.FAILED for a in states):
                down[connection.name] = states[0].reason or "failed"
        for query in chunk:
            skipped = [ClusterAnswer(n, ClusterState.FAILED, reason=r) for n, r in down.items()]
            listed = {a.cluster: a for a in answers[query]}
            listed |= {a.cluster: a for a in skipped if a.cluster not in listed}
            result[query] = [listed[c.name] for c in connections]
    return result


def _record(
    conn: Connection,
    healths: dict[EntityRef, KubernetesHealth],
    now: datetime,
    settings: KubernetesSettings,
) -> list[tuple[Change, EntityRef, Finding, datetime]]:
    """Store statuses and problems; return what appeared and what cleared."""
    known = {parse_ref(r) for r in conn.execute(select(k8s_health.c.entity_ref)).scalars()}
    known |= {parse_ref(r) for r in conn.execute(select(k8s_problems.c.entity_ref)).scalars()}
    dialect = conn.dialect.name
    gone = [str(r) for r in known - healths.keys()]
    if gone:
        conn.execute(delete(k8s_health).where(one_of(k8s_health.c.entity_ref, gone, dialect)))
        forget_entities(conn, k8s_problems, gone)
    refs = [str(r) for r in healths]
    if refs:
        conn.execute(delete(k8s_health).where(one_of(k8s_health.c.entity_ref, refs, dialect)))
    if healths:
        conn.execute(insert(k8s_health), [_health_row(h) for h in healths.values()])
    observed = {
        ref: Observation(
            tuple(
                Problem(f.key, f.object.cluster, f.severity.value, f.to_json())
                for f in health.findings
                if f.severity.rank >= Severity.WARNING.rank
            ),
            frozenset(health.answered_clusters),
        )
        for ref, health in healths.items()
    }
    changes = record_problems(
        conn, k8s_problems, observed, now=now, resolve_after=settings.resolve_after_sweeps
    )
    return [(c.change, c.entity, Finding.from_json(c.data), c.first_seen) for c in changes]


def _health_row(health: KubernetesHealth) -> dict[str, Any]:
    counts = Counter(f.severity for f in health.findings)
    return {
        "entity_ref": str(health.entity),
        "status": health.status.value,
        "checked_at": health.checked_at,
        "critical": counts[Severity.CRITICAL],
        "warnings": counts[Severity.WARNING],
        "headline": health.headline[:500],
        "failed_clusters": [[c.name, c.reason or ""] for c in health.failed_clusters],
    }
