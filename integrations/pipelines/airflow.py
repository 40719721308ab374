"""Apache Airflow's REST API, Airflow 2's stable API (``/api/v1``) or Airflow 3's public API
(``/api/v2``): a DAG's state, its runs, the task instances that failed or are retrying, and the
datasets (Airflow 3: assets) DAGs produce and consume.

``AirflowClient`` is the seam (tests pass a loopback fake over real HTTP); ``airflow_report``
turns what it reads into an ``EngineReport`` with findings and fixes. Every call has a
timeout and no retries: a slash command has 2.5 s in all.
"""

from __future__ import annotations

import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from integrations.kubernetes.finding import Severity
from integrations.pipelines.config import AirflowInstance
from integrations.pipelines.errors import EngineAuthFailed, EngineUnreachable
from integrations.pipelines.model import (
    EngineReport,
    PipelineFinding,
    Run,
    RunState,
    TaskFailure,
)
from integrations.pipelines.schedules import schedule_from_airflow

__all__ = ["AirflowClient", "airflow_report", "parse_time"]

_RUN_STATES = {
    "success": RunState.SUCCESS,
    "failed": RunState.FAILED,
    "running": RunState.RUNNING,
    "queued": RunState.QUEUED,
}
_FAILED_TASK = {"failed"}
_RETRYING_TASK = {"up_for_retry", "restarting"}
_RUNS_READ = 25
_SCHEDULER_LAG = timedelta(minutes=15)
_MAX_DATASET_PAGES = 100
_VERSIONS = {"1": 1, "2": 2}
_ASSET_READERS = ("scheduled_dags", "consuming_tasks")


def parse_time(value: object) -> datetime | None:
    """An RFC 3339 time as the API writes it, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class AirflowClient:
    """Read-only calls to one Airflow instance; errors raise ``EngineUnreachable`` in words.

    Which API the server speaks (``api_version``) is asked once, on the first call, unless the
    instance says; Airflow 3's JWT is fetched with the user and password on first need and
    fetched again, once, when the server refuses it (it expired). Safe to share between
    threads."""

    def __init__(
        self,
        instance: AirflowInstance,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.instance = instance
        self.name = f"Airflow {instance.name}"
        self.timeout = timeout
        self._version: int | None = _VERSIONS.get(instance.api_version)
        self._jwt: str | None = None
        self._lock = threading.Lock()
        self._basic: httpx.BasicAuth | None = None
        if instance.token is None and instance.username and instance.password is not None:
            self._basic = httpx.BasicAuth(instance.username, instance.password.get_secret_value())
        self._http = httpx.Client(
            base_url=instance.url,
            headers={"Accept": "application/json", "User-Agent": "greenroom"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )

    def close(self) -> None:
        self._http.close()

    @property
    def api_version(self) -> int:
        """1 (Airflow 2, ``/api/v1``) or 2 (Airflow 3, ``/api/v2``): configured, or asked of
        ``/api/v2/version`` then ``/api/v1/version`` (neither needs credentials) and kept."""
        if self._version is None:
            with self._exclusive():
                if self._version is None:
                    self._version = self._detect()
        return self._version

    def dag(self, dag_id: str) -> dict[str, Any] | None:
        """``GET /dags/{id}``; None when Airflow does not know the DAG."""
        found = self._get(f"/dags/{quote(dag_id, safe='')}", missing_ok=True)
        return found if isinstance(found, dict) else None

    def dag_runs(
        self, dag_id: str, *, limit: int = _RUNS_READ, state: str | None = None
    ) -> list[dict[str, Any]]:
        """The newest runs first: by ``execution_date`` in Airflow 2, by ``run_after`` in
        Airflow 3 (where a manual run may have no logical date)."""
        order = "-execution_date" if self.api_version == 1 else "-run_after"
        params: dict[str, Any] = {"limit": limit, "order_by": order}
        if state:
            params["state"] = state
        body = self._get(f"/dags/{quote(dag_id, safe='')}/dagRuns", params=params)
        return _list(body, "dag_runs")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Every task instance of one run."""
        path = f"/dags/{quote(dag_id, safe='')}/dagRuns/{quote(run_id, safe='')}/taskInstances"
        return _list(self._get(path, params={"limit": 100}), "task_instances")

    def datasets(self) -> Iterator[dict[str, Any]]:
        """Every dataset (Airflow 3: asset) as the API returns it, page by page."""
        key = "datasets" if self.api_version == 1 else "assets"
        offset = 0
        for _ in range(_MAX_DATASET_PAGES):
            body = self._get(f"/{key}", params={"limit": 100, "offset": offset})
            page = _list(body, key)
            yield from page
            offset += len(page)
            total = body.get("total_entries") if isinstance(body, dict) else None
            if not page or (isinstance(total, int) and offset >= total):
                return

    def dataset_links(self) -> Iterator[tuple[str, list[str], list[str]]]:
        """Each dataset's URI with the DAGs that write it and the DAGs that read it. Airflow 2
        names readers in ``consuming_dags``; Airflow 3 in ``scheduled_dags`` (scheduled on the
        asset) and ``consuming_tasks`` (tasks with it as an inlet)."""
        readers = ("consuming_dags",) if self.api_version == 1 else _ASSET_READERS
        for item in self.datasets():
            uri = str(item.get("uri") or "")
            if not uri:
                continue
            writers = _dag_ids(item.get("producing_tasks"))
            read = _dag_ids([r for key in readers for r in item.get(key) or []])
            yield uri, writers, read

    def ui_url(self, path: str, **params: str) -> str:
        """A link into the Airflow web UI."""
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.instance.url.rstrip('/')}{path}{query}"

    def dag_url(self, dag_id: str, run_id: str | None = None) -> str:
        """The DAG's page (its grid in Airflow 2), or one run of it."""
        dag = f"/dags/{quote(dag_id, safe='')}"
        if self.api_version == 1:
            return self.ui_url(f"{dag}/grid", **({"dag_run_id": run_id} if run_id else {}))
        return self.ui_url(f"{dag}/runs/{quote(run_id, safe='')}" if run_id else dag)

    def log_url(self, dag_id: str, run_id: str, task_id: str) -> str:
        """The log of one task instance."""
        if self.api_version == 1:
            return self.ui_url(
                f"/dags/{quote(dag_id, safe='')}/grid",
                dag_run_id=run_id,
                task_id=task_id,
                tab="logs",
            )
        return self.ui_url(
            f"/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"
            f"/tasks/{quote(task_id, safe='')}/logs"
        )

    def _get(
        self, path: str, *, params: dict[str, Any] | None = None, missing_ok: bool = False
    ) -> Any:
        version = self.api_version
        url = f"/api/v{version}{path}"
        sent = self._credentials(version)
        response = self._send("GET", url, params=params, auth=sent)
        if (
            response.status_code == 401
            and isinstance(sent, str)
            and version == 2
            and self.instance.token is None  # a JWT greenroom fetched, not a configured token
        ):
            # the JWT expired (or the server restarted with a new secret): one new one, once
            response = self._send("GET", url, params=params, auth=self._fresh_jwt(sent))
        if response.status_code == 404 and not _api_answer(response, version):
            raise EngineUnreachable(
                f"{self.name} has no /api/v{version} (GET {url} answered 404 "
                f"{response.headers.get('content-type', '').split(';')[0] or 'without a body'}):"
                f" check the url and api_version in pipelines.airflow[{self.instance.name}] "
                "(1 for Airflow 2, 2 for Airflow 3, auto to ask)"
            )
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code in (401, 403):
            raise EngineAuthFailed(_auth_message(self.instance, response))
        if response.status_code >= 400:
            raise EngineUnreachable(
                f"{self.name} answered {response.status_code}: {_problem(response)}"
            )
        return self._json(response)

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        auth: httpx.BasicAuth | str | None = None,
        body: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {auth}"} if isinstance(auth, str) else None
        try:
            return self._http.request(
                method,
                url,
                params=params,
                headers=headers,
                auth=auth if isinstance(auth, httpx.BasicAuth) else httpx.USE_CLIENT_DEFAULT,
                json=body,
            )
        except httpx.TimeoutException:
            raise EngineUnreachable(
                f"{self.name} did not answer within {self.timeout:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise EngineUnreachable(
                f"{self.name} could not be reached ({type(error).__name__})"
            ) from None

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise EngineUnreachable(f"{self.name} answered something that is not JSON") from None

    def _credentials(self, version: int) -> httpx.BasicAuth | str | None:
        """What a call carries: the configured bearer token; else basic auth (Airflow 2) or
        the JWT traded for the user and password (Airflow 3); else nothing."""
        if self.instance.token is not None:
            return self.instance.token.get_secret_value()
        if self._basic is None:
            return None
        if version == 1:
            return self._basic
        with self._exclusive():
            if self._jwt is None:
                self._jwt = self._fetch_jwt()
            return self._jwt

    def _fresh_jwt(self, refused: str) -> str:
        """A new JWT, unless another thread already replaced the one refused."""
        with self._exclusive():
            if self._jwt is None or self._jwt == refused:
                self._jwt = self._fetch_jwt()
            return self._jwt

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One thread at a time asks for the version or a token; the others wait for it, but
        no longer than a call may take (the one asking waits on the same server)."""
        if not self._lock.acquire(timeout=self.timeout):
            raise EngineUnreachable(f"{self.name} did not answer within {self.timeout:g} s")
        try:
            yield
        finally:
            self._lock.release()

    def _fetch_jwt(self) -> str:
        """``POST /auth/token`` with the user and password; the JWT of its ``access_token``
        (``jwt_token`` in early FAB auth manager providers)."""
        instance = self.instance
        password = instance.password.get_secret_value() if instance.password else ""
        response = self._send(
            "POST", "/auth/token", body={"username": instance.username or "", "password": password}
        )
        where = f"pipelines.airflow[{instance.name}]"
        if response.status_code in (401, 403):
            raise EngineAuthFailed(
                f"{self.name} refused greenroom's credentials ({response.status_code}): check "
                f"the user and the secret named in {where} (Airflow 3 trades them for a token "
                "at /auth/token)"
            )
        if response.status_code in (404, 405):
            raise EngineUnreachable(
                f"{self.name} gives no token for a user and password ({response.status_code} "
                f"from /auth/token): its auth manager signs users in elsewhere, so set "
                f"token_env in {where} to a token made for greenroom; or it is Airflow 2, so "
                "set api_version to 1 or auto"
            )
        if response.status_code >= 400:
            raise EngineUnreachable(
                f"{self.name} answered {response.status_code} when asked for a token: "
                f"{_problem(response)}"
            )
        body = self._json(response)
        token = next(
            (
                body[k]
                for k in ("access_token", "jwt_token")
                if isinstance(body, dict) and isinstance(body.get(k), str) and body[k]
            ),
            None,
        )
        if token is None:
            raise EngineUnreachable(f"{self.name} answered /auth/token without an access_token")
        return str(token)

    def _detect(self) -> int:
        seen = []
        for version in (2, 1):
            response = self._send("GET", f"/api/v{version}/version")
            if response.status_code == 200:
                try:
                    body = response.json()
                except ValueError:
                    body = None
                if isinstance(body, dict) and isinstance(body.get("version"), str):
                    return version
            seen.append(f"/api/v{version}/version answered {response.status_code}")
        raise EngineUnreachable(
            f"{self.name} speaks neither Airflow 3's public API nor Airflow 2's stable REST API "
            f"at {self.instance.url} ({', '.join(seen)}): check the url in "
            f"pipelines.airflow[{self.instance.name}], or set its api_version to 1 or 2"
        )


def _api_answer(response: httpx.Response, version: int) -> bool:
    """Whether a 404 is the API's own (this DAG or run does not exist) rather than a path the
    server does not serve: Airflow 2 answers problem details, Airflow 3 a ``detail`` naming
    what is missing; an unknown path gets a web page, or Airflow 3's bare ``Not Found``."""
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    if version == 1:
        return "title" in body and "status" in body
    return bool(body.get("detail")) and body.get("detail") != "Not Found"


def _dag_ids(items: Any) -> list[str]:
    found: dict[str, None] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("dag_id"):
            found[str(item["dag_id"])] = None
    return list(found)


def _list(body: Any, key: str) -> list[dict[str, Any]]:
    items = body.get(key) if isinstance(body, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _problem(response: httpx.Response) -> str:
    """Airflow 2's RFC 7807 problem details (title and detail), Airflow 3's ``{"detail": ...}``
    (a string, or a validation error's list), or the status line."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "error"
    if isinstance(body, dict):
        parts = [_text(body.get(k)) for k in ("title", "detail") if body.get(k)]
        return ": ".join(parts)[:300] or response.reason_phrase
    return response.reason_phrase


def _text(value: object) -> str:
    """A detail as words: a validation error list becomes its messages."""
    if isinstance(value, list):
        return "; ".join(
            str(v.get("msg")) if isinstance(v, dict) and v.get("msg") else str(v) for v in value
        )
    return str(value)


def _auth_message(instance: AirflowInstance, response: httpx.Response) -> str:
    where = f"pipelines.airflow[{instance.name}]"
    if response.status_code == 401:
        if instance.token is None and instance.password is None:
            how = f"no credentials are configured: set username and password_env in {where}"
        else:
            how = f"check the user and the secret named in {where}"
        return f"Airflow {instance.name} refused greenroom's credentials (401): {how}"
    return (
        f"Airflow {instance.name} forbids greenroom to read this (403): give its user the "
        "Viewer role (can_read on DAGs, DAG Runs, Task Instances)"
    )


def airflow_report(
    client: AirflowClient, dag_id: str, *, now: datetime, grace: float = 0.25
) -> EngineReport:
    """What Airflow says of one DAG: runs, last success, failures with log links, findings.
    Raises EngineUnreachable when Airflow cannot be asked."""
    source = client.name.lower()
    dag = client.dag(dag_id)
    dag_url = client.dag_url(dag_id)
    if dag is None:
        finding = PipelineFinding(
            "dag-not-found",
            Severity.CRITICAL,
            source,
            dag_id,
            f"DAG {dag_id} does not exist in {client.name}",
            "The catalog names a DAG that Airflow has not loaded, so nothing runs it.",
            "Check greenroom.dev/airflow-dag-id against the dag_id in the DAG file, and that "
            "the file is in the DAGs folder and parses (Airflow's Import Errors page).",
        )
        return EngineReport("airflow", source, dag_id, findings=(finding,), url=dag_url)
    raw_runs = client.dag_runs(dag_id)
    runs = [_run(client, dag_id, r) for r in raw_runs]
    last_success = next((r.ended_at for r in runs if r.state is RunState.SUCCESS), None)
    if last_success is None and runs:
        older = client.dag_runs(dag_id, limit=1, state="success")
        last_success = next((_run(client, dag_id, r).ended_at for r in older), None)
    durations = [
        s for r in runs if r.state is RunState.SUCCESS and (s := r.seconds(now)) is not None
    ]
    usual = statistics.median(durations) if durations else None
    newest = runs[0] if runs else None
    if newest is not None and newest.state in (RunState.FAILED, RunState.RUNNING):
        failures = _task_failures(client, dag_id, newest)
        runs[0] = Run(
            newest.run_id,
            newest.state,
            newest.started_at,
            newest.ended_at,
            newest.run_type,
            failures,
            newest.url,
        )
    schedule = schedule_from_airflow(
        dag.get("schedule_interval") or dag.get("timetable_summary"),
        dag.get("timetable_description"),
    )
    paused = bool(dag.get("is_paused"))
    findings = _findings(
        source,
        dag_id,
        dag,
        runs,
        raw_runs,
        usual=usual,
        now=now,
        schedule_due=schedule.last_due(now - _SCHEDULER_LAG) if schedule else None,
        interval=schedule.interval if schedule else None,
        grace=grace,
    )
    return EngineReport(
        "airflow",
        source,
        dag_id,
        runs=tuple(runs),
        last_success=last_success,
        schedule=str(schedule) if schedule else None,
        interval=schedule.interval if schedule else None,
        paused=paused,
        usual_seconds=usual,
        url=dag_url,
        findings=tuple(findings),
    )


def _run(client: AirflowClient, dag_id: str, raw: dict[str, Any]) -> Run:
    run_id = str(raw.get("dag_run_id") or "")
    return Run(
        run_id,
        _RUN_STATES.get(str(raw.get("state") or ""), RunState.UNKNOWN),
        parse_time(raw.get("start_date")),
        parse_time(raw.get("end_date")),
        str(raw.get("run_type") or "scheduled"),
        url=client.dag_url(dag_id, run_id),
    )


def _task_failures(client: AirflowClient, dag_id: str, run: Run) -> tuple[TaskFailure, ...]:
    found = []
    for task in client.task_instances(dag_id, run.run_id):
        state = str(task.get("state") or "")
        if state not in _FAILED_TASK | _RETRYING_TASK:
            continue
        task_id = str(task.get("task_id") or "?")
        link = client.log_url(dag_id, run.run_id, task_id)
        found.append(
            TaskFailure(
                task_id,
                state,
                int(task.get("try_number") or 1),
                int(task.get("max_tries") or 0),
                link,
            )
        )
    return tuple(sorted(found, key=lambda t: (t.state not in _FAILED_TASK, t.task_id)))


def _findings(
    source: str,
    dag_id: str,
    dag: dict[str, Any],
    runs: list[Run],
    raw_runs: list[dict[str, Any]],
    *,
    usual: float | None,
    now: datetime,
    schedule_due: datetime | None,
    interval: timedelta | None,
    grace: float,
) -> list[PipelineFinding]:
    found: list[PipelineFinding] = []

    def add(rule: str, severity: Severity, title: str, why: str, fix: str, **extra: Any) -> None:
        found.append(PipelineFinding(rule, severity, source, dag_id, title, why, fix, **extra))

    if dag.get("has_import_errors"):
        add(
            "dag-import-errors",
            Severity.CRITICAL,
            f"DAG {dag_id}'s file does not import",
            "Airflow keeps the last version that parsed; changes since then do not run.",
            "Open Browse → DAG Import Errors in Airflow and fix the traceback shown there.",
        )
    if dag.get("is_paused"):
        add(
            "dag-paused",
            Severity.WARNING,
            f"DAG {dag_id} is paused",
            "A paused DAG is not scheduled: what it writes goes stale.",
            "Unpause it in the Airflow UI (the toggle next to its name) if that was not meant.",
        )
    newest = runs[0] if runs else None
    if newest is not None and newest.state is RunState.FAILED:
        failed = [t for t in newest.failures if t.state in _FAILED_TASK]
        task = failed[0] if failed else None
        at = f" at task {task.task_id}" if task else ""
        add(
            "run-failed",
            Severity.CRITICAL,
            f"The last run of DAG {dag_id} failed{at}",
            f"Run {newest.run_id} ended failed"
            + (f" on try {task.try_number} of {task.max_tries + 1}." if task else "."),
            "Read the failing task's log, fix the cause, then clear the task in Airflow to "
            "re-run it and what follows it.",
            detail="",
            log_url=task.log_url if task else newest.url,
        )
    if newest is not None and newest.state is RunState.RUNNING:
        for task in newest.failures:
            if task.state in _RETRYING_TASK:
                add(
                    "task-retrying",
                    Severity.WARNING,
                    f"Task {task.task_id} of DAG {dag_id} is retrying "
                    f"(try {task.try_number} of {task.max_tries + 1})",
                    "It failed and Airflow will try it again; the run is not lost yet.",
                    "Read the log of the failed try; if it will fail again, fix it before the "
                    "retries run out.",
                    detail=task.task_id,
                    log_url=task.log_url,
                )
        took = newest.seconds(now)
        if usual and took and took > max(2 * usual, usual + 600):
            add(
                "run-long",
                Severity.WARNING,
                f"DAG {dag_id} has been running for {_minutes(took)} (usually {_minutes(usual)})",
                "A run much longer than usual is often stuck on a lock, a sensor or a queue.",
                "Open the run's grid in Airflow and look for a task running far longer than it "
                "used to.",
                log_url=newest.url,
            )
    if not dag.get("is_paused"):
        latest_end = max(
            (
                t
                for r in raw_runs
                if (t := parse_time(r.get("data_interval_end") or r.get("run_after"))) is not None
            ),
            default=None,
        )
        newest_start = max((r.started_at for r in runs if r.started_at), default=None)
        missed_since: datetime | None = None
        if schedule_due is not None and (latest_end is None or latest_end < schedule_due):
            missed_since = schedule_due
        elif (
            schedule_due is None
            and interval is not None
            and newest_start is not None
            and now - newest_start > interval * (1 + grace)
        ):
            missed_since = newest_start + interval
        if missed_since is not None:
            add(
                "missed-schedule",
                Severity.WARNING,
                f"DAG {dag_id} missed its schedule (due {missed_since:%Y-%m-%d %H:%M} UTC)",
                "The scheduler has not started a run that was due: it may be down, the DAG "
                "may have hit max_active_runs, or its start_date moved.",
                "Check the scheduler's health (Airflow's /health) and the DAG's running and "
                "queued runs.",
            )
    return found


def _minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{max(minutes, 1)}m"
