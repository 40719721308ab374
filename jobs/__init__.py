"""The worker process: APScheduler schedules, exactly-once claims, job bodies.

What other features use (see docs/worker.md):

- ``setup.jobs.add(JobKind(...))`` in a capability's ``register(setup)``: a new kind of job;
- ``setup.jobs.after_sync(kind)``: request a kind after every catalog sync that changed things;
- ``setup.jobs.add_prune_rule(PruneRule(...))``: let housekeeping delete old rows;
- ``add_schedule(engine, key=..., kind=..., when=...)``: a schedule created at runtime;
- ``request_run(engine, kind, params, requested_by=...)``: run a kind now, on some worker.
"""

from __future__ import annotations

from jobs.context import JobContext, JobResult
from jobs.cron import ScheduleSpec, parse_schedule
from jobs.errors import InvalidSchedule, UnknownJobKind
from jobs.fire_times import next_fire_time
from jobs.heartbeats import WorkerHealth, check_health
from jobs.housekeeping import register_housekeeping
from jobs.overview import JobsOverview, ScheduleView, jobs_overview, wait_for_run
from jobs.plan import Plan, PlannedSchedule, plan_schedules
from jobs.registry import (
    CATALOG_SYNC,
    AfterSyncHook,
    DefaultSchedule,
    JobKind,
    JobRegistry,
    PruneRule,
    RetryPolicy,
)
from jobs.runs import RunRecord, get_run, request_run
from jobs.schedules import (
    StoredSchedule,
    add_schedule,
    list_schedules,
    remove_schedule,
    set_schedule_enabled,
)
from jobs.worker import Worker

__all__ = [
    "CATALOG_SYNC",
    "AfterSyncHook",
    "DefaultSchedule",
    "InvalidSchedule",
    "JobContext",
    "JobKind",
    "JobRegistry",
    "JobResult",
    "JobsOverview",
    "Plan",
    "PlannedSchedule",
    "PruneRule",
    "RetryPolicy",
    "RunRecord",
    "ScheduleSpec",
    "ScheduleView",
    "StoredSchedule",
    "UnknownJobKind",
    "Worker",
    "WorkerHealth",
    "add_schedule",
    "check_health",
    "get_run",
    "jobs_overview",
    "list_schedules",
    "next_fire_time",
    "parse_schedule",
    "plan_schedules",
    "register_housekeeping",
    "remove_schedule",
    "request_run",
    "set_schedule_enabled",
    "wait_for_run",
]
