"""What ``greenroom jobs`` shows: schedules with their next and last runs, active runs,
workers; plus waiting for one run to finish (``greenroom jobs run --wait``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from jobs.heartbeats import WorkerHealth, WorkerRecord, check_health, list_workers
from jobs.plan import PlannedSchedule, plan_schedules
from jobs.registry import JobRegistry
from jobs.runs import (
    ABANDONED,
    ACTIVE,
    FAILED,
    FINISHED,
    TIMED_OUT,
    RunRecord,
    get_run,
    last_runs,
    runs_where,
)
from jobs.schedules import list_schedules
from runtime.process import Runtime

__all__ = ["JobsOverview", "ScheduleView", "jobs_overview", "wait_for_run"]

_FAILURES = (FAILED, TIMED_OUT, ABANDONED)
_FAILURES_SHOWN = 5


@dataclass(frozen=True)
class ScheduleView:
    """A schedule, when it fires next (in its own time zone) and how its last run went."""

    schedule: PlannedSchedule
    next_run: datetime | None
    last: RunRecord | None


@dataclass(frozen=True)
class JobsOverview:
    """Everything ``greenroom jobs`` lists."""

    timezone: str
    schedules: list[ScheduleView]
    active: list[RunRecord]
    failures: list[RunRecord]
    workers: list[WorkerRecord]
    health: WorkerHealth
    problems: list[str]


def jobs_overview(
    runtime: Runtime, registry: JobRegistry, *, now: datetime | None = None
) -> JobsOverview:
    """The state of every schedule and worker, as of ``now``."""
    now = now or datetime.now(UTC)
    plan = plan_schedules(registry, runtime.settings, list_schedules(runtime.engine))
    last = last_runs(runtime.engine, [s.id for s in plan.schedules])
    views = []
    for schedule in plan.schedules:
        upcoming = schedule.next_run(now)
        views.append(
            ScheduleView(
                schedule,
                upcoming.astimezone(schedule.zone) if upcoming else None,
                last.get(schedule.id),
            )
        )
    stale = runtime.settings.worker.stale_after_seconds
    return JobsOverview(
        timezone=runtime.settings.worker.timezone,
        schedules=views,
        active=runs_where(runtime.engine, statuses=ACTIVE),
        failures=runs_where(runtime.engine, statuses=_FAILURES, limit=_FAILURES_SHOWN),
        workers=list_workers(runtime.engine),
        health=check_health(runtime.engine, stale_after=stale, now=now),
        problems=plan.problems,
    )


def wait_for_run(engine: Engine, run_id: int, *, timeout: float, poll: float = 0.5) -> RunRecord:
    """The run once it has finished, or as it is when ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        record = get_run(engine, run_id)
        if record is None:
            raise LookupError(f"no run #{run_id}")
        if record.status in FINISHED or time.monotonic() >= deadline:
            return record
        time.sleep(poll)
