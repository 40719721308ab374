"""A fake Apache Airflow 2 webserver on 127.0.0.1 (random port): the stable REST API
(``/api/v1``) that greenroom reads, with Airflow's real shapes.

Served: ``GET /dags`` (paged), ``/dags/{id}``, ``/dags/{id}/dagRuns`` (``limit``, ``offset``,
``order_by`` with ``-``, ``state``), ``/dags/{id}/dagRuns/{run}/taskInstances``, ``/datasets``
(paged, with ``consuming_dags`` and ``producing_tasks``) and ``/health``. Basic auth (or a
bearer token); errors are RFC 7807 problem details as Airflow writes them. Faults: ``hang()``,
``slow(seconds)``, ``fail(status)``. Builders: ``dag``, ``dag_run``, ``task_instance``,
``dataset``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from bot.loopback.served import Served

__all__ = ["FakeAirflow", "dag", "dag_run", "dataset", "task_instance"]

_ERRORS = (
    "https://airflow.apache.org/docs/apache-airflow/2.10.0/stable-rest-api-ref.html#section/Errors/"
)
_MAX_LIMIT = 100


def _ts(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def dag(
    dag_id: str,
    *,
    schedule: str | None = "0 * * * *",
    paused: bool = False,
    owners: tuple[str, ...] = ("data-eng",),
    tags: tuple[str, ...] = (),
    import_errors: bool = False,
    every: timedelta | None = None,
) -> dict[str, Any]:
    """A DAG as ``GET /dags/{id}`` returns it; ``every`` makes a TimeDelta schedule."""
    interval: dict[str, Any] | None
    if every is not None:
        interval = {
            "__type": "TimeDelta",
            "days": every.days,
            "seconds": every.seconds,
            "microseconds": 0,
        }
    elif schedule is not None:
        interval = {"__type": "CronExpression", "value": schedule}
    else:
        interval = None
    return {
        "dag_id": dag_id,
        "dag_display_name": dag_id,
        "root_dag_id": None,
        "is_paused": paused,
        "is_active": True,
        "is_subdag": False,
        "last_parsed_time": "2026-05-04T11:58:00+00:00",
        "last_pickled": None,
        "last_expired": None,
        "scheduler_lock": None,
        "pickle_id": None,
        "default_view": "grid",
        "fileloc": f"/opt/airflow/dags/{dag_id}.py",
        "file_token": base64.b64encode(dag_id.encode()).decode(),
        "owners": list(owners),
        "description": None,
        "schedule_interval": interval,
        "timetable_description": schedule or "Never, external triggers only",
        "tags": [{"name": t} for t in tags],
        "max_active_tasks": 16,
        "max_active_runs": 1,
        "has_task_concurrency_limits": False,
        "has_import_errors": import_errors,
        "next_dagrun": None,
        "next_dagrun_data_interval_start": None,
        "next_dagrun_data_interval_end": None,
        "next_dagrun_create_after": None,
    }


def task_instance(
    task_id: str,
    state: str = "success",
    *,
    try_number: int = 1,
    max_tries: int = 2,
    operator: str = "PythonOperator",
) -> dict[str, Any]:
    """A task instance (its run's fields are filled in by ``dag_run``)."""
    return {
        "task_id": task_id,
        "task_display_name": task_id,
        "state": state,
        "try_number": try_number,
        "max_tries": max_tries,
        "map_index": -1,
        "operator": operator,
        "pool": "default_pool",
        "pool_slots": 1,
        "queue": "default",
        "priority_weight": 1,
        "hostname": "airflow-worker-0",
        "unixname": "airflow",
        "executor_config": "{}",
        "sla_miss": None,
        "rendered_fields": {},
        "note": None,
    }


def dag_run(
    dag_id: str,
    logical: datetime,
    state: str = "success",
    *,
    took: timedelta = timedelta(minutes=5),
    interval: timedelta = timedelta(hours=1),
    tasks: tuple[dict[str, Any], ...] = (),
    run_type: str = "scheduled",
) -> dict[str, Any]:
    """A DAG run whose data interval starts at ``logical`` (it starts when the interval ends)."""
    started = logical + interval
    run_id = f"{run_type}__{logical.astimezone(UTC).isoformat()}"
    ended = started + took if state in ("success", "failed") else None
    run: dict[str, Any] = {
        "dag_run_id": run_id,
        "dag_id": dag_id,
        "logical_date": _ts(logical),
        "execution_date": _ts(logical),
        "start_date": _ts(started),
        "end_date": _ts(ended),
        "data_interval_start": _ts(logical),
        "data_interval_end": _ts(logical + interval),
        "last_scheduling_decision": _ts(ended or started),
        "run_type": run_type,
        "state": state,
        "external_trigger": run_type == "manual",
        "conf": {},
        "note": None,
    }
    instances = []
    for task in tasks:
        instance = dict(task)
        instance |= {
            "dag_id": dag_id,
            "dag_run_id": run_id,
            "execution_date": _ts(logical),
            "start_date": _ts(started),
            "end_date": _ts(ended) if task["state"] not in ("running", "up_for_retry") else None,
            "duration": took.total_seconds() if ended else None,
        }
        instances.append(instance)
    run["_tasks"] = instances
    return run


def dataset(
    uri: str, *, producers: tuple[tuple[str, str], ...] = (), consumers: tuple[str, ...] = ()
) -> dict[str, Any]:
    """An Airflow dataset: ``producers`` are (dag_id, task_id), ``consumers`` are DAG ids."""
    when = "2026-05-01T00:00:00+00:00"
    return {
        "id": abs(hash(uri)) % 100000,
        "uri": uri,
        "extra": {},
        "created_at": when,
        "updated_at": when,
        "consuming_dags": [
            {"dag_id": d, "created_at": when, "updated_at": when} for d in consumers
        ],
        "producing_tasks": [
            {"dag_id": d, "task_id": t, "created_at": when, "updated_at": when}
            for d, t in producers
        ],
    }


@dataclass
class FakeAirflow(Served):
    """A running fake Airflow; a context manager, or ``start``/``close``."""

    username: str = "greenroom"
    password: str = "airflow-pass"
    token: str | None = None
    dags: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    _fault: tuple[str, float, int] | None = None
    _server: ThreadingHTTPServer | None = None
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def add(self, dag_doc: dict[str, Any], *runs: dict[str, Any]) -> None:
        """A DAG and its runs (any order; served newest first)."""
        with self._lock:
            self.dags[dag_doc["dag_id"]] = dag_doc
            self.runs.setdefault(dag_doc["dag_id"], []).extend(runs)

    def hang(self) -> None:
        """Accept, then never answer (until ``heal`` or ``close``)."""
        self._fault = ("hang", 0.0, 0)

    def slow(self, seconds: float) -> None:
        self._fault = ("slow", seconds, 0)

    def fail(self, status: int) -> None:
        self._fault = ("status", 0.0, status)

    def heal(self) -> None:
        self._fault = None
        self._release.set()
        self._release = threading.Event()

    def authorized(self, header: str | None) -> bool:
        if header is None:
            return False
        if self.token is not None and header == f"Bearer {self.token}":
            return True
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"


class _Handler(BaseHTTPRequestHandler):
    api: FakeAirflow
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        auth = self.headers.get("Authorization")
        self.api.requests.append((url.path, auth))
        fault = self.api._fault
        if fault is not None and fault[0] == "hang":
            self.api._release.wait(60)
            self.close_connection = True
            return None
        if fault is not None and fault[0] == "slow":
            time.sleep(fault[1])
        if not self.api.authorized(auth):
            return self._problem(401, "Unauthorized", "Unauthenticated", "Unauthenticated")
        if fault is not None and fault[0] == "status":
            if fault[2] == 403:
                return self._problem(
                    403, "Forbidden", "PermissionDenied", "Forbidden", "Access is denied"
                )
            return self._problem(fault[2], "Internal Server Error", "Unknown", "Unknown")
        path = url.path.removeprefix("/api/v1")
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if path == "/health":
            return self._json(
                {"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy"}}
            )
        if parts == ["dags"]:
            return self._page("dags", list(self.api.dags.values()), query)
        if parts == ["datasets"]:
            return self._page("datasets", self.api.datasets, query)
        if len(parts) >= 2 and parts[0] == "dags":
            found = self.api.dags.get(parts[1])
            if found is None:
                return self._problem(
                    404,
                    "DAG not found",
                    "NotFound",
                    "NotFound",
                    f"DAG with dag_id: '{parts[1]}' not found",
                )
            if len(parts) == 2:
                return self._json(found)
            if parts[2:] == ["dagRuns"]:
                return self._runs(parts[1], query)
            if len(parts) == 5 and parts[2] == "dagRuns" and parts[4] == "taskInstances":
                run = next(
                    (r for r in self.api.runs.get(parts[1], []) if r["dag_run_id"] == parts[3]),
                    None,
                )
                if run is None:
                    return self._problem(404, "DAGRun not found", "NotFound", "NotFound")
                return self._page("task_instances", run["_tasks"], query)
        return self._problem(
            404, "Not Found", "NotFound", "NotFound", "The requested URL was not found"
        )

    def _runs(self, dag_id: str, query: dict[str, list[str]]) -> None:
        runs = [
            {k: v for k, v in r.items() if not k.startswith("_")}
            for r in self.api.runs.get(dag_id, [])
        ]
        states = query.get("state")
        if states:
            runs = [r for r in runs if r["state"] in states]
        order = (query.get("order_by") or ["execution_date"])[0]
        key = order.lstrip("-")
        runs.sort(key=lambda r: r.get(key) or "", reverse=order.startswith("-"))
        self._page("dag_runs", runs, query)

    def _page(self, key: str, items: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        limit = min(int((query.get("limit") or ["100"])[0]), _MAX_LIMIT)
        offset = int((query.get("offset") or ["0"])[0])
        self._json({key: items[offset : offset + limit], "total_entries": len(items)})

    def _problem(
        self, status: int, title: str, kind: str, _: str, detail: str | None = None
    ) -> None:
        body = {"type": _ERRORS + kind, "title": title, "status": status, "detail": detail}
        self._send(status, json.dumps(body).encode(), "application/problem+json")

    def _json(self, body: Any) -> None:
        self._send(200, json.dumps(body).encode(), "application/json")

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if code == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="Airflow"')
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
