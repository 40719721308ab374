"""A fake Apache Airflow on 127.0.0.1 (random port) that speaks Airflow 2's stable REST API
(``/api/v1``, ``api_version=1``) or Airflow 3's public API (``/api/v2``, ``api_version=2``),
with each one's real shapes.

Served: ``GET /dags`` (paged), ``/dags/{id}``, ``/dags/{id}/dagRuns`` (``limit``, ``offset``,
``order_by`` with ``-``, ``state``), ``/dags/{id}/dagRuns/{run}/taskInstances``, ``/datasets``
(Airflow 3: ``/assets``), ``/health`` (Airflow 3: ``/monitor/health``) and ``/version`` (no
credentials needed). Airflow 2: basic auth (or a bearer token), errors as RFC 7807 problem
details. Airflow 3: ``POST /auth/token`` trades ``{"username", "password"}`` for a signed JWT
that expires after ``token_seconds`` (``expire_tokens()`` ends them all now), errors as
``{"detail": ...}``; the other version's paths answer 404, as a real server's do. Documents are
built in Airflow 2's shape (``dag``, ``dag_run``, ``task_instance``, ``dataset``) and served in
the version's. Faults: ``hang()``, ``slow(seconds)``, ``fail(status)``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
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
_DEFAULT_LIMIT = {1: 100, 2: 50}
_VERSION = {1: "2.10.5", 2: "3.0.6"}
#: Airflow 3's cron timetables keep a preset as the cron line it stands for (their summary)
_CRON_PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}
_NOT_FOUND_HTML = b"<!DOCTYPE html><html><head><title>Airflow 404</title></head></html>"


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
    uri: str,
    *,
    producers: tuple[tuple[str, str], ...] = (),
    consumers: tuple[str, ...] = (),
    readers: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """An Airflow dataset: ``producers`` are (dag_id, task_id), ``consumers`` are the DAGs
    scheduled on it; ``readers`` (dag_id, task_id) take it as an inlet, which only Airflow 3
    reports (``consuming_tasks``)."""
    when = "2026-05-01T00:00:00+00:00"
    return {
        "_readers": [
            {"dag_id": d, "task_id": t, "created_at": when, "updated_at": when} for d, t in readers
        ],
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


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _v2_dag(doc: dict[str, Any]) -> dict[str, Any]:
    """Airflow 3's DAGResponse: no ``schedule_interval`` (the timetable's summary instead),
    ``is_stale`` for ``is_active``, bundles, and the next run's ``run_after``."""
    interval = doc.get("schedule_interval") or {}
    if interval.get("__type") == "CronExpression":
        summary: str | None = _CRON_PRESETS.get(interval["value"], interval["value"])
    elif interval.get("__type") == "TimeDelta":
        summary = str(timedelta(days=interval["days"], seconds=interval["seconds"]))
    else:
        summary = None
    gone = {
        "schedule_interval",
        "is_active",
        "is_subdag",
        "root_dag_id",
        "last_pickled",
        "scheduler_lock",
        "pickle_id",
        "default_view",
        "next_dagrun",
        "next_dagrun_create_after",
    }
    dag_id = doc["dag_id"]
    return {k: v for k, v in doc.items() if k not in gone} | {
        "is_stale": False,
        "bundle_name": "dags-folder",
        "bundle_version": None,
        "relative_fileloc": f"{dag_id}.py",
        "timetable_summary": summary,
        "tags": [{"name": t["name"], "dag_id": dag_id} for t in doc["tags"]],
        "max_consecutive_failed_dag_runs": 0,
        "next_dagrun_logical_date": None,
        "next_dagrun_run_after": None,
    }


def _v2_run(doc: dict[str, Any]) -> dict[str, Any]:
    """Airflow 3's DAGRunResponse: no ``execution_date`` or ``external_trigger``; a
    ``run_after`` always, a ``logical_date`` that a manual run may lack, and its duration."""
    started, ended = doc["start_date"], doc["end_date"]
    duration = (
        (datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds()
        if started and ended
        else None
    )
    manual = doc["run_type"] == "manual"
    return {k: v for k, v in _public(doc).items() if k not in ("execution_date",)} | {
        "logical_date": None if manual else doc["logical_date"],
        "run_after": doc["data_interval_end"],
        "queued_at": doc["data_interval_end"],
        "duration": duration,
        "triggered_by": "rest_api" if manual else "timetable",
        "triggering_user_name": "greenroom" if manual else None,
        "dag_versions": [],
        "bundle_version": None,
        "dag_display_name": doc["dag_id"],
        "external_trigger": None,
    }


def _v2_task(doc: dict[str, Any]) -> dict[str, Any]:
    gone = {"execution_date", "sla_miss"}
    return {k: v for k, v in doc.items() if k not in gone} | {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc['dag_run_id']}/{doc['task_id']}")),
        "logical_date": doc.get("execution_date"),
        "run_after": doc.get("execution_date"),
        "dag_display_name": doc.get("dag_id"),
        "operator_name": doc.get("operator"),
        "executor": None,
        "queued_when": None,
        "scheduled_when": None,
        "pid": None,
        "rendered_map_index": None,
        "trigger": None,
        "triggerer_job": None,
        "dag_version": None,
    }


def _v2_asset(doc: dict[str, Any]) -> dict[str, Any]:
    """Airflow 3's AssetResponse: a name and group; the DAGs scheduled on it replace
    ``consuming_dags``, and the tasks that take it as an inlet are ``consuming_tasks``."""
    return {
        "id": doc["id"],
        "name": doc["uri"],
        "uri": doc["uri"],
        "group": "asset",
        "extra": doc["extra"],
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "scheduled_dags": doc["consuming_dags"],
        "producing_tasks": doc["producing_tasks"],
        "consuming_tasks": doc["_readers"],
        "aliases": [],
        "watchers": [],
        "last_asset_event": None,
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class FakeAirflow(Served):
    """A running fake Airflow; a context manager, or ``start``/``close``."""

    username: str = "greenroom"
    password: str = "airflow-pass"
    token: str | None = None
    api_version: int = 1
    token_seconds: float = 86400.0  # Airflow 3's [api_auth] jwt_expiration_time
    dags: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    #: JWTs handed out by ``POST /auth/token``, with when each expires (monotonic)
    issued: dict[str, float] = field(default_factory=dict)
    _fault: tuple[str, float, int] | None = None
    _server: ThreadingHTTPServer | None = None
    _release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _secret: bytes = field(default_factory=lambda: uuid.uuid4().bytes)

    def __post_init__(self) -> None:
        if self.api_version not in (1, 2):
            raise ValueError(
                f"api_version is 1 (Airflow 2) or 2 (Airflow 3), not {self.api_version}"
            )

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
        """Answer every API call (not ``/version`` or ``/auth/token``) with ``status``."""
        self._fault = ("status", 0.0, status)

    def heal(self) -> None:
        self._fault = None
        self._release.set()
        self._release = threading.Event()

    def expire_tokens(self) -> None:
        """Every JWT handed out so far has expired (as a day later)."""
        with self._lock:
            self.issued = dict.fromkeys(self.issued, 0.0)

    def issue_token(self) -> str:
        """A JWT as Airflow 3's auth manager signs it (HS512, ``sub``, ``iat``, ``exp``)."""
        now = time.time()
        header = {"alg": "HS512", "typ": "JWT"}
        claims = {
            "sub": self.username,
            "role": "VIEWER",
            "iss": None,
            "aud": "apache-airflow",
            "nbf": int(now),
            "iat": int(now),
            "exp": int(now + self.token_seconds),
            "jti": uuid.uuid4().hex,
        }
        signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = hmac.new(self._secret, signing.encode(), hashlib.sha512).digest()
        token = f"{signing}.{_b64(signature)}"
        with self._lock:
            self.issued[token] = time.monotonic() + self.token_seconds
        return token

    def authorized(self, header: str | None) -> bool:
        if header is None:
            return False
        if self.token is not None and header == f"Bearer {self.token}":
            return True
        if self.api_version == 2:
            token = header.removeprefix("Bearer ")
            return header.startswith("Bearer ") and self.issued.get(token, 0.0) > time.monotonic()
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"


class _Handler(BaseHTTPRequestHandler):
    api: FakeAirflow
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _held(self, path: str, auth: str | None) -> bool:
        """Record the call and apply a hang or slowness; True when the call was dropped."""
        self.api.requests.append((path, auth))
        fault = self.api._fault
        if fault is not None and fault[0] == "hang":
            self.api._release.wait(60)
            self.close_connection = True
            return True
        if fault is not None and fault[0] == "slow":
            time.sleep(fault[1])
        return False

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self._held(url.path, self.headers.get("Authorization")):
            return None
        if self.api.api_version != 2 or url.path != "/auth/token":
            return self._not_found()
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict) or not {"username", "password"} <= body.keys():
            return self._send(
                422,
                json.dumps(
                    {
                        "detail": [
                            {
                                "type": "missing",
                                "loc": ["body", "username"],
                                "msg": "Field required",
                                "input": body,
                            }
                        ]
                    }
                ).encode(),
                "application/json",
            )
        if body["username"] != self.api.username or body["password"] != self.api.password:
            return self._error(401, "Invalid credentials")
        payload = json.dumps({"access_token": self.api.issue_token()}).encode()
        return self._send(201, payload, "application/json")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        auth = self.headers.get("Authorization")
        if self._held(url.path, auth):
            return None
        version = self.api.api_version
        prefix = f"/api/v{version}"
        if url.path != prefix and not url.path.startswith(prefix + "/"):
            return self._not_found()
        path = url.path.removeprefix(prefix)
        if path == "/version":
            return self._json({"version": _VERSION[version], "git_version": None})
        if not self.api.authorized(auth):
            return self._error(401, "Unauthenticated" if version == 1 else "Not authenticated")
        fault = self.api._fault
        if fault is not None and fault[0] == "status":
            if fault[2] == 403:
                return self._error(403, "Access is denied" if version == 1 else "Forbidden")
            return self._error(fault[2], None)
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if path == ("/health" if version == 1 else "/monitor/health"):
            return self._json(
                {"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy"}}
            )
        if parts == ["dags"]:
            dags = [d if version == 1 else _v2_dag(d) for d in self.api.dags.values()]
            return self._page("dags", dags, query)
        if parts == ["datasets" if version == 1 else "assets"]:
            if version == 1:
                return self._page("datasets", [_public(d) for d in self.api.datasets], query)
            return self._page("assets", [_v2_asset(d) for d in self.api.datasets], query)
        if len(parts) >= 2 and parts[0] == "dags":
            found = self.api.dags.get(parts[1])
            if found is None:
                return self._error(
                    404,
                    f"DAG with dag_id: '{parts[1]}' not found"
                    if version == 1
                    else f"The Dag with ID: `{parts[1]}` was not found",
                    title="DAG not found",
                )
            if len(parts) == 2:
                return self._json(found if version == 1 else _v2_dag(found))
            if parts[2:] == ["dagRuns"]:
                return self._runs(parts[1], query)
            if len(parts) == 5 and parts[2] == "dagRuns" and parts[4] == "taskInstances":
                run = next(
                    (r for r in self.api.runs.get(parts[1], []) if r["dag_run_id"] == parts[3]),
                    None,
                )
                if run is None:
                    return self._error(
                        404,
                        None
                        if version == 1
                        else f"The DagRun with dag_id: `{parts[1]}` and run_id: `{parts[3]}` "
                        "was not found",
                        title="DAGRun not found",
                    )
                tasks = run["_tasks"] if version == 1 else [_v2_task(t) for t in run["_tasks"]]
                return self._page("task_instances", tasks, query)
        return self._error(404, "The requested URL was not found" if version == 1 else "Not Found")

    def _runs(self, dag_id: str, query: dict[str, list[str]]) -> None:
        version = self.api.api_version
        runs = [_public(r) if version == 1 else _v2_run(r) for r in self.api.runs.get(dag_id, [])]
        states = query.get("state")
        if states:
            runs = [r for r in runs if r["state"] in states]
        order = (query.get("order_by") or ["execution_date" if version == 1 else "id"])[0]
        key = order.lstrip("-")
        if runs and key not in runs[0] and key != "id":
            detail = f"Ordering with '{key}' is disallowed or the attribute does not exist"
            return self._error(400, detail, title="Bad Request")
        runs.sort(key=lambda r: r.get(key) or "", reverse=order.startswith("-"))
        return self._page("dag_runs", runs, query)

    def _page(self, key: str, items: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        default = _DEFAULT_LIMIT[self.api.api_version]
        limit = min(int((query.get("limit") or [str(default)])[0]), _MAX_LIMIT)
        offset = int((query.get("offset") or ["0"])[0])
        self._json({key: items[offset : offset + limit], "total_entries": len(items)})

    def _error(self, status: int, detail: str | None, *, title: str | None = None) -> None:
        """Airflow 2: an RFC 7807 problem; Airflow 3: FastAPI's ``{"detail": ...}`` (and a
        bare text 500, as an unhandled error gives)."""
        titles = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
        if self.api.api_version == 2:
            if status >= 500:
                return self._send(status, b"Internal Server Error", "text/plain; charset=utf-8")
            body: dict[str, Any] = {"detail": detail or titles.get(status, "Error")}
            return self._send(status, json.dumps(body).encode(), "application/json")
        kinds = {401: "Unauthenticated", 403: "PermissionDenied", 404: "NotFound"}
        body = {
            "type": _ERRORS + kinds.get(status, "Unknown"),
            "title": title or titles.get(status, "Internal Server Error"),
            "status": status,
            "detail": detail,
        }
        return self._send(status, json.dumps(body).encode(), "application/problem+json")

    def _not_found(self) -> None:
        """A path of the other API version: Airflow 2's webserver answers an HTML page,
        Airflow 3's API server ``{"detail": "Not Found"}``."""
        if self.api.api_version == 1:
            return self._send(404, _NOT_FOUND_HTML, "text/html; charset=utf-8")
        return self._send(404, b'{"detail":"Not Found"}', "application/json")

    def _json(self, body: Any) -> None:
        self._send(200, json.dumps(body).encode(), "application/json")

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if code == 401 and self.api.api_version == 1:
                self.send_header("WWW-Authenticate", 'Basic realm="Airflow"')
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
