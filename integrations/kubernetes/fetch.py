"""Reading every cluster in parallel, under one hard deadline.

Each cluster runs in its own thread with its own small pool, so a hanging cluster can only
block itself. Within a cluster, deployments, statefulsets, pods and HPAs of every query are
listed at once (replicasets, the Deployments' revision history, only afterwards and only where
a Deployment crash-loops: they tell whether the loop came with a new image); Warning events
are listed per namespace, at once too when the entity names its namespace, otherwise as soon
as the objects say which namespaces they live in. At the deadline whatever has answered is
used and the rest is named as timed out; stragglers finish in the background (their own
request timeout ends them shortly after).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from integrations.errors import ClusterUnreachable
from integrations.kubernetes.clients import ClusterClient, ClusterConnection
from integrations.kubernetes.discovery import namespaces_to_read
from integrations.kubernetes.reasons import format_seconds
from integrations.kubernetes.resources import ClusterObjects, WarningEvent

__all__ = [
    "ClusterAnswer",
    "ClusterState",
    "WorkloadQuery",
    "collect",
    "split_by_label",
]

_KINDS = ("deployments", "statefulsets", "pods", "autoscalers")
_ALL_KINDS = (*_KINDS, "replica_sets")  # replicasets: asked only where a Deployment crash-loops
_GRACE = 0.5  # request timeouts outlive the deadline a little, so the deadline names the wait


@dataclass(frozen=True, slots=True)
class WorkloadQuery:
    """A label selector, in one namespace or (None) in every allowed one."""

    label_selector: str
    namespace: str | None = None


class ClusterState(StrEnum):
    """Whether a cluster answered: ``ok`` (maybe with ``problems``), ``failed`` or ``skipped``."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class ClusterAnswer:
    """What one cluster said about one query; ``reason`` says why it failed or was skipped."""

    cluster: str
    state: ClusterState
    objects: ClusterObjects = field(default_factory=ClusterObjects)
    reason: str | None = None
    problems: tuple[str, ...] = ()


def collect(
    connections: Sequence[ClusterConnection],
    queries: Sequence[WorkloadQuery],
    *,
    timeout: float,
    concurrency: int = 8,
    event_window: timedelta = timedelta(hours=1),
    now: datetime,
    label_seconds: float | None = None,
) -> dict[WorkloadQuery, list[ClusterAnswer]]:
    """Every query asked of every cluster, answered within ``timeout`` seconds, whatever happens.

    ``label_seconds`` is the deadline users know (the reasons say "timed out after 2.5 s")."""
    end = time.monotonic() + timeout
    label = f"timed out after {format_seconds(label_seconds or timeout)}"
    job = _ClusterJob(queries, end, label, concurrency, now - event_window)
    outer = ThreadPoolExecutor(max_workers=max(len(connections), 1), thread_name_prefix="k8s")
    futures = [outer.submit(job.run, connection) for connection in connections]
    wait(futures, timeout=max(end - time.monotonic(), 0) + 0.05)
    outer.shutdown(wait=False, cancel_futures=True)
    result: dict[WorkloadQuery, list[ClusterAnswer]] = {q: [] for q in queries}
    for connection, future in zip(connections, futures, strict=True):
        answers = future.result() if future.done() else {}
        for query in queries:
            result[query].append(
                answers.get(query)
                or ClusterAnswer(connection.name, ClusterState.FAILED, reason=label)
            )
    return result


def split_by_label(objects: ClusterObjects, label: str) -> dict[str, ClusterObjects]:
    """The objects grouped by their value of ``label``, each group with the events about it
    (splits a batched answer per service in one pass)."""
    groups: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for kind in _ALL_KINDS:
        for item in getattr(objects, kind):
            value = item.labels.get(label)
            if value is not None:
                groups[value][kind].append(item)
    events = _events_by_object(objects.events)
    return {
        value: _with_events(
            ClusterObjects(
                deployments=tuple(lists["deployments"]),
                statefulsets=tuple(lists["statefulsets"]),
                pods=tuple(lists["pods"]),
                autoscalers=tuple(lists["autoscalers"]),
                replica_sets=tuple(lists["replica_sets"]),
            ),
            events,
        )
        for value, lists in groups.items()
    }


_ObjectKey = tuple[str, str, str]  # namespace, kind, name


def _events_by_object(events: Iterable[WarningEvent]) -> dict[_ObjectKey, list[WarningEvent]]:
    index: dict[_ObjectKey, list[WarningEvent]] = defaultdict(list)
    for event in events:
        index[(event.namespace, event.object_kind, event.object_name)].append(event)
    return index


def _with_events(
    objects: ClusterObjects, events: dict[_ObjectKey, list[WarningEvent]]
) -> ClusterObjects:
    involved = {(w.namespace, w.kind, w.name) for w in objects.workloads}
    involved |= {(p.namespace, "Pod", p.name) for p in objects.pods}
    involved |= {(p.namespace, "ReplicaSet", p.replica_set) for p in objects.pods if p.replica_set}
    involved |= {(h.namespace, "HorizontalPodAutoscaler", h.name) for h in objects.autoscalers}
    about = tuple(e for key in sorted(involved) for e in events.get(key, ()))
    return replace(objects, events=about)


@dataclass(frozen=True, slots=True)
class _Task:
    kind: str  # one of _KINDS, or "events"
    namespace: str | None
    query: WorkloadQuery | None = None


_Result = list[Any] | str  # the items, or why they could not be read


@dataclass
class _ClusterJob:
    queries: Sequence[WorkloadQuery]
    end: float
    timeout_label: str
    concurrency: int
    events_since: datetime

    def run(self, connection: ClusterConnection) -> dict[WorkloadQuery, ClusterAnswer]:
        name = connection.name
        if connection.client is None:
            reason = connection.error or "is not connected"
            return {
                q: ClusterAnswer(name, ClusterState.FAILED, reason=reason) for q in self.queries
            }
        client = connection.client
        answers: dict[WorkloadQuery, ClusterAnswer] = {}
        tasks: list[_Task] = []
        for query in self.queries:
            scopes = namespaces_to_read(query.namespace, connection.config.namespaces)
            if not scopes:
                reason = f"namespace {query.namespace} is not in this cluster's allowed namespaces"
                answers[query] = ClusterAnswer(name, ClusterState.SKIPPED, reason=reason)
            tasks += [_Task(kind, ns, query) for ns in scopes for kind in _KINDS]
        # Events are listed per namespace: at once for a namespace the entity names; for the
        # rest, only where its objects turned out to live (an allowlist may be long).
        known = {t.query.namespace for t in tasks if t.query and t.query.namespace}
        known &= {t.namespace for t in tasks}
        tasks += [_Task("events", ns) for ns in sorted(known)]
        pool = ThreadPoolExecutor(max_workers=max(min(self.concurrency, len(tasks)), 1))
        try:
            results = self._run_all(pool, client, tasks)
            found = {
                item.namespace
                for task, value in results.items()
                if task.kind != "events" and isinstance(value, list)
                for item in value
            }
            later = [_Task("events", ns) for ns in sorted(found - known)]
            results |= self._run_all(pool, client, later + _history_tasks(results))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        events = [
            e
            for task, value in results.items()
            if task.kind == "events" and isinstance(value, list)
            for e in value
            if e.last_seen is None or e.last_seen >= self.events_since
        ]
        event_failures = sorted(
            {
                f"warning events: {v}"
                for t, v in results.items()
                if t.kind == "events" and isinstance(v, str)
            }
        )
        by_query: dict[WorkloadQuery, list[tuple[str, _Result]]] = defaultdict(list)
        for task, value in results.items():
            if task.query is not None:
                by_query[task.query].append((task.kind, value))
        for query in self.queries:
            if query not in answers:
                answers[query] = _answer(name, by_query[query], events, event_failures)
        return answers

    def _run_all(
        self, pool: ThreadPoolExecutor, client: ClusterClient, tasks: list[_Task]
    ) -> dict[_Task, _Result]:
        remaining = self.end - time.monotonic()
        if not tasks:
            return {}
        if remaining <= 0:
            return dict.fromkeys(tasks, self.timeout_label)
        futures = {task: pool.submit(_call, client, task, remaining + _GRACE) for task in tasks}
        wait(futures.values(), timeout=remaining)
        results: dict[_Task, _Result] = {}
        for task, future in futures.items():
            if not future.done():
                results[task] = self.timeout_label
                continue
            error = future.exception()
            if isinstance(error, ClusterUnreachable):
                results[task] = error.user_message
            else:
                results[task] = future.result()  # a bug raises here, as it should
        return results


def _history_tasks(results: dict[_Task, _Result]) -> list[_Task]:
    """ReplicaSets (the revision history) of the namespaces where a Deployment's pod is in
    CrashLoopBackOff: they tell whether the loop came with a new image. Only there, so a
    healthy answer makes no extra call."""
    wanted: set[tuple[WorkloadQuery, str]] = set()
    for task, value in results.items():
        if task.kind != "pods" or task.query is None or not isinstance(value, list):
            continue
        for pod in value:
            if pod.owner_kind == "Deployment" and any(
                c.waiting_reason == "CrashLoopBackOff" for c in pod.containers
            ):
                wanted.add((task.query, pod.namespace))
    return [_Task("replica_sets", ns, query) for query, ns in sorted(wanted, key=str)]


def _call(client: ClusterClient, task: _Task, timeout: float) -> list[Any]:
    ns, selector = task.namespace, task.query.label_selector if task.query else ""
    if task.kind == "deployments":
        return list(client.list_deployments(ns, selector, timeout=timeout))
    if task.kind == "statefulsets":
        return list(client.list_statefulsets(ns, selector, timeout=timeout))
    if task.kind == "pods":
        return list(client.list_pods(ns, selector, timeout=timeout))
    if task.kind == "autoscalers":
        return list(client.list_autoscalers(ns, selector, timeout=timeout))
    if task.kind == "replica_sets":
        return list(client.list_replicasets(ns, selector, timeout=timeout))
    assert ns is not None, "events are always listed per namespace"
    return list(client.list_warning_events(ns, timeout=timeout))


def _answer(
    cluster: str,
    results: list[tuple[str, _Result]],
    events: list[WarningEvent],
    event_failures: list[str],
) -> ClusterAnswer:
    failures = [(kind, value) for kind, value in results if isinstance(value, str)]
    if len(failures) == len(results):
        by_kind = dict(failures)
        return ClusterAnswer(
            cluster, ClusterState.FAILED, reason=by_kind.get("pods") or failures[0][1]
        )
    lists: dict[str, list[Any]] = defaultdict(list)
    for kind, value in results:
        if isinstance(value, list):
            lists[kind].extend(value)
    objects = ClusterObjects(
        deployments=tuple(lists["deployments"]),
        statefulsets=tuple(lists["statefulsets"]),
        pods=tuple(lists["pods"]),
        autoscalers=tuple(lists["autoscalers"]),
        replica_sets=tuple(lists["replica_sets"]),
    )
    problems = sorted({f"{_NAMES[kind]}: {reason}" for kind, reason in failures})
    if not objects.empty:
        problems += event_failures
    return ClusterAnswer(
        cluster,
        ClusterState.OK,
        _with_events(objects, _events_by_object(events)),
        problems=tuple(problems),
    )


_NAMES = {
    "deployments": "deployments",
    "statefulsets": "statefulsets",
    "pods": "pods",
    "autoscalers": "autoscalers (HPAs)",
    "replica_sets": "replicasets",
}
