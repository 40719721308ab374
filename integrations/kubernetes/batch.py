"""CronJobs and Jobs of a service that runs no Deployment or StatefulSet.

A data job (``scaffold_templates/data-job``) runs as a CronJob: the ``k8s`` answer would say
"nothing matches" although the cluster runs it. When no cluster has a long-running workload
for the selector, ``check_health`` asks for the selector's CronJobs and Jobs (only then: the
usual answer makes no extra call) and names them, pointing to the pipeline answer, which reads
their runs (integrations/pipelines). Only names, schedules and times are kept: a CronJob's
template carries environment values.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from integrations.errors import ClusterUnreachable
from integrations.kubernetes.clients import ClusterConnection
from integrations.kubernetes.discovery import namespaces_to_read
from integrations.kubernetes.fetch import WorkloadQuery

__all__ = ["BatchWorkload", "find_batch", "find_batch_by_label"]

_MAX = 20


@dataclass(frozen=True, slots=True)
class BatchWorkload:
    """A CronJob, or a Job no CronJob owns, where it runs and when it last ran."""

    cluster: str
    namespace: str
    kind: str  # "CronJob" or "Job"
    name: str
    schedule: str | None = None
    suspended: bool = False
    last_run: datetime | None = None  # last schedule (CronJob) or start (Job)
    last_success: datetime | None = None


def find_batch(
    connections: Sequence[ClusterConnection], query: WorkloadQuery, *, timeout: float
) -> tuple[BatchWorkload, ...]:
    """The CronJobs and standalone Jobs matching ``query`` in every connected cluster, within
    ``timeout`` seconds; a cluster that fails or is late adds nothing (the answer already names
    clusters that did not answer)."""
    return _ordered(_workload(c, r, item) for c, r, item in _list(connections, query, timeout))


def find_batch_by_label(
    connections: Sequence[ClusterConnection], query: WorkloadQuery, label: str, *, timeout: float
) -> dict[str, tuple[BatchWorkload, ...]]:
    """``find_batch`` for a query that selects many services at once (the sweep's
    ``kubernetes-id in (...)``), cut by the value of ``label`` on each object."""
    found: dict[str, list[BatchWorkload | None]] = {}
    for cluster, resource, item in _list(connections, query, timeout):
        labels = _meta(item).get("labels")
        value = labels.get(label) if isinstance(labels, dict) else None
        if isinstance(value, str):
            found.setdefault(value, []).append(_workload(cluster, resource, item))
    return {value: _ordered(workloads) for value, workloads in found.items()}


def _list(
    connections: Sequence[ClusterConnection], query: WorkloadQuery, timeout: float
) -> list[tuple[str, str, dict[str, Any]]]:
    """(cluster, resource, object) of every CronJob and Job that answered in time."""
    if timeout <= 0:
        return []
    calls = [
        (connection.name, resource, namespace, lister)
        for connection in connections
        if (lister := getattr(connection.client, "list_batch", None)) is not None
        for namespace in namespaces_to_read(query.namespace, connection.config.namespaces)
        for resource in ("cronjobs", "jobs")
    ]
    if not calls:
        return []
    end = time.monotonic() + timeout
    pool = ThreadPoolExecutor(max_workers=min(len(calls), 8), thread_name_prefix="k8s-batch")
    try:
        futures = {
            pool.submit(lister, resource, namespace, query.label_selector, timeout=timeout): (
                cluster,
                resource,
            )
            for cluster, resource, namespace, lister in calls
        }
        wait(futures, timeout=max(end - time.monotonic(), 0))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    items: list[tuple[str, str, dict[str, Any]]] = []
    for future, (cluster, resource) in futures.items():
        if not future.done() or future.cancelled():
            continue
        if isinstance(future.exception(), ClusterUnreachable):
            continue
        items += [(cluster, resource, item) for item in future.result()]  # other errors raise
    return items


def _workload(cluster: str, resource: str, item: dict[str, Any]) -> BatchWorkload | None:
    return _cronjob(cluster, item) if resource == "cronjobs" else _job(cluster, item)


def _ordered(workloads: Iterable[BatchWorkload | None]) -> tuple[BatchWorkload, ...]:
    found = {w for w in workloads if w is not None}
    ordered = sorted(found, key=lambda w: (w.kind != "CronJob", w.cluster, w.namespace, w.name))
    return tuple(ordered[:_MAX])


def _meta(item: dict[str, Any]) -> dict[str, Any]:
    meta = item.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _section(item: dict[str, Any], key: str) -> dict[str, Any]:
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _cronjob(cluster: str, item: dict[str, Any]) -> BatchWorkload | None:
    meta, spec, status = _meta(item), _section(item, "spec"), _section(item, "status")
    name = meta.get("name")
    if not isinstance(name, str):
        return None
    schedule = spec.get("schedule")
    return BatchWorkload(
        cluster,
        str(meta.get("namespace") or ""),
        "CronJob",
        name,
        schedule=schedule if isinstance(schedule, str) else None,
        suspended=spec.get("suspend") is True,
        last_run=_time(status.get("lastScheduleTime")),
        last_success=_time(status.get("lastSuccessfulTime")),
    )


def _job(cluster: str, item: dict[str, Any]) -> BatchWorkload | None:
    meta, status = _meta(item), _section(item, "status")
    name = meta.get("name")
    owners = meta.get("ownerReferences")
    owners = owners if isinstance(owners, list) else []
    if not isinstance(name, str) or any(
        isinstance(o, dict) and o.get("kind") == "CronJob" for o in owners
    ):
        return None  # a CronJob's run: the CronJob stands for it
    succeeded = isinstance(status.get("succeeded"), int) and status["succeeded"] > 0
    return BatchWorkload(
        cluster,
        str(meta.get("namespace") or ""),
        "Job",
        name,
        last_run=_time(status.get("startTime")),
        last_success=_time(status.get("completionTime")) if succeeded else None,
    )


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
