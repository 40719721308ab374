"""``pipelines.sweep``: check every pipeline and post what changed to the owning teams (and to
the teams downstream of a late dataset), every ``pipelines.sweep_interval_minutes`` (only when
an engine is configured)."""

from __future__ import annotations

from datetime import timedelta

from commands.pipelines.sweep import run_pipelines_sweep
from jobs.context import JobContext, JobResult
from jobs.registry import DefaultSchedule, JobKind, JobRegistry, RetryPolicy
from runtime.settings import Settings

__all__ = ["PIPELINES_SWEEP", "register_jobs", "run_pipelines_sweep_job", "sweep_schedules"]

PIPELINES_SWEEP = "pipelines.sweep"


def run_pipelines_sweep_job(ctx: JobContext) -> JobResult:
    """One sweep and its alerts; the result counts states, posts and failures."""
    outcome = run_pipelines_sweep(ctx.runtime)
    for notification, reason in outcome.failed:
        ctx.logger.warning("alert about %s not posted: %s", notification.entity.short, reason)
    return outcome.summary()


def sweep_schedules(settings: Settings) -> list[DefaultSchedule]:
    """Every ``sweep_interval_minutes``, when Airflow or a cluster is there to ask."""
    if not (settings.pipelines.airflow or settings.kubernetes.clusters):
        return []
    every = settings.pipelines.sweep_interval_minutes
    return [DefaultSchedule(PIPELINES_SWEEP, f"every {every}m")]


def register_jobs(registry: JobRegistry) -> None:
    """Add this capability's job kinds to the worker's registry."""
    registry.add(
        JobKind(
            PIPELINES_SWEEP,
            run_pipelines_sweep_job,
            schedules=sweep_schedules,
            timeout=timedelta(minutes=10),
            # not retried: the next sweep is minutes away, and alerts go out once
            retry=RetryPolicy(attempts=1),
            description="Check every data pipeline and tell teams what failed, is late, recovered",
        )
    )
