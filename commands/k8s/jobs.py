"""``kubernetes.sweep``: check every annotated service, refresh the health badges, and post new
and resolved problems to the owning teams' channels, every ``kubernetes.sweep_interval_minutes``
(only when clusters are configured)."""

from __future__ import annotations

from datetime import timedelta

from commands.k8s.sweep import run_health_sweep
from jobs.context import JobContext, JobResult
from jobs.registry import DefaultSchedule, JobKind, JobRegistry, RetryPolicy
from runtime.settings import Settings

__all__ = ["KUBERNETES_SWEEP", "register_jobs", "run_kubernetes_sweep", "sweep_schedules"]

KUBERNETES_SWEEP = "kubernetes.sweep"


def run_kubernetes_sweep(ctx: JobContext) -> JobResult:
    """One sweep and its alerts; the result counts statuses, posts and failures."""
    outcome = run_health_sweep(ctx.runtime)
    for notification, reason in outcome.failed:
        ctx.logger.warning("alert about %s not posted: %s", notification.entity.short, reason)
    return outcome.summary()


def sweep_schedules(settings: Settings) -> list[DefaultSchedule]:
    """Every ``sweep_interval_minutes``, when there is a cluster to sweep."""
    kubernetes = settings.kubernetes
    if not kubernetes.clusters:
        return []
    return [DefaultSchedule(KUBERNETES_SWEEP, f"every {kubernetes.sweep_interval_minutes}m")]


def register_jobs(registry: JobRegistry) -> None:
    """Add this capability's job kinds to the worker's registry."""
    registry.add(
        JobKind(
            KUBERNETES_SWEEP,
            run_kubernetes_sweep,
            schedules=sweep_schedules,
            timeout=timedelta(minutes=10),
            # a failed sweep is not retried: the next one is minutes away, and alerts go out once
            retry=RetryPolicy(attempts=1),
            description="Check every service's Kubernetes health and tell teams what changed",
            # the official client (about a second), loaded once by the worker's forkserver
            # instead of in every sweep's process
            preload=("kubernetes",),
        )
    )
