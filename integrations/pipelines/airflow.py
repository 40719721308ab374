"""Apache Airflow's stable REST API (Airflow 2, ``/api/v1``): a DAG's state, its runs, the
task instances that failed or are retrying, and the datasets DAGs produce and consume.

``AirflowClient`` is the seam (tests pass a loopback fake over real HTTP); ``airflow_report``
turns what it reads into an ``EngineReport`` with findings and fixes. Every call has a
timeout and no retries: a slash command has 2.5 s in all.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
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
    """Read-only calls to one Airflow instance; errors raise ``EngineUnreachable`` in words."""

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
        headers = {"Accept": "application/json", "User-Agent": "greenroom"}
        auth: httpx.BasicAuth | None = None
        if instance.token is not None:
            headers["Authorization"] = f"Bearer {instance.token.get_secret_value()}"
        elif instance.username:
            password = instance.password.get_secret_value() if instance.password else ""
            auth = httpx.BasicAuth(instance.username, password)
        self._http = httpx.Client(
            base_url=instance.api_url,
            headers=headers,
            auth=auth,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )

    def close(self) -> None:
        self._http.close()

    def dag(self, dag_id: str) -> dict[str, Any] | None:
        """``GET /dags/{id}``; None when Airflow does not know the DAG."""
        found = self._get(f"/dags/{quote(dag_id, safe='')}", missing_ok=True)
        return found if isinstance(found, dict) else None

    def dag_runs(
        self, dag_id: str, *, limit: int = _RUNS_READ, state: str | None = None
    ) -> list[dict[str, Any]]:
        """The newest runs first (``order_by=-execution_date``)."""
        params: dict[str, Any] = {"limit": limit, "order_by": "-execution_date"}
        if state:
            params["state"] = state
        body = self._get(f"/dags/{quote(dag_id, safe='')}/dagRuns", params=params)
        return _list(body, "dag_runs")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Every task instance of one run."""
        path = f"/dags/{quote(dag_id, safe='')}/dagRuns/{quote(run_id, safe='')}/taskInstances"
        return _list(self._get(path, params={"limit": 100}), "task_instances")

    def datasets(self) -> Iterator[dict[str, Any]]:
        """Every dataset, with the DAGs that consume it and the tasks that produce it."""
        offset = 0
        for _ in range(_MAX_DATASET_PAGES):
            body = self._get("/datasets", params={"limit": 100, "offset": offset})
            page = _list(body, "datasets")
            yield from page
            offset += len(page)
            total = body.get("total_entries") if isinstance(body, dict) else None
            if not page or (isinstance(total, int) and offset >= total):
                return

    def ui_url(self, path: str, **params: str) -> str:
        """A link into the Airflow web UI."""
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.instance.url.rstrip('/')}{path}{query}"

    def _get(
        self, path: str, *, params: dict[str, Any] | None = None, missing_ok: bool = False
    ) -> Any:
        try:
            response = self._http.get(path, params=params)
        except httpx.TimeoutException:
            raise EngineUnreachable(
                f"{self.name} did not answer within {self.timeout:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise EngineUnreachable(
                f"{self.name} could not be reached ({type(error).__name__})"
            ) from None
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code in (401, 403):
            raise EngineAuthFailed(_auth_message(self.instance, response))
        if response.status_code >= 400:
            raise EngineUnreachable(
                f"{self.name} answered {response.status_code}: {_problem(response)}"
            )
        try:
            return response.json()
        except ValueError:
            raise EngineUnreachable(f"{self.name} answered something that is not JSON") from None


def _list(body: Any, key: str) -> list[dict[str, Any]]:
    items = body.get(key) if isinstance(body, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _problem(response: httpx.Response) -> str:
    """RFC 7807 problem details' title and detail, or the status line."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "error"
    if isinstance(body, dict):
        parts = [str(body.get(k)) for k in ("title", "detail") if body.get(k)]
        return ": ".join(parts)[:300] or response.reason_phrase
    return response.reason_phrase


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
    dag_url = client.ui_url(f"/dags/{quote(dag_id, safe='')}/grid")
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
    schedule = schedule_from_airflow(dag.get("schedule_interval"), dag.get("timetable_description"))
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
        url=client.ui_url(f"/dags/{quote(dag_id, safe='')}/grid", dag_run_id=run_id),
    )


def _task_failures(client: AirflowClient, dag_id: str, run: Run) -> tuple[TaskFailure, ...]:
    found = []
    for task in client.task_instances(dag_id, run.run_id):
        state = str(task.get("state") or "")
        if state not in _FAILED_TASK | _RETRYING_TASK:
            continue
        task_id = str(task.get("task_id") or "?")
        link = client.ui_url(
            f"/dags/{quote(dag_id, safe='')}/grid",
            dag_run_id=run.run_id,
            task_id=task_id,
            tab="logs",
        )
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
            (t for r in raw_runs if (t := parse_time(r.get("data_interval_end"))) is not None),
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
