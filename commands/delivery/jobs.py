"""``delivery.refresh``: every ``delivery.refresh_minutes``, read each service's pull requests
and deploys again, so team pages show current delivery without asking hosts themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.delivery import DeliveryContext
from integrations.delivery.refresh import refresh_answers
from jobs.context import JobContext, JobResult
from jobs.registry import DefaultSchedule, JobKind, JobRegistry, RetryPolicy
from runtime.settings import Settings

__all__ = ["DELIVERY_REFRESH", "register_jobs", "run_delivery_refresh"]

DELIVERY_REFRESH = "delivery.refresh"
_SERVICE_KINDS = ("component", "resource", "system")


def run_delivery_refresh(ctx: JobContext) -> JobResult:
    """One refresh of every service with a repository; the result counts them."""
    runtime = ctx.runtime
    settings = runtime.settings
    context = DeliveryContext(
        settings=settings.delivery.model_copy(update={"fresh_seconds": 0}),
        hosts=settings.repositories.hosts,
        engine=runtime.engine,
        clusters=runtime.clusters if settings.kubernetes.clusters else None,
        kubernetes_timeout=settings.kubernetes.timeout_seconds,
        now=lambda: datetime.now(UTC),
    )
    entities = (s.entity for s in runtime.catalog.entities(kinds=_SERVICE_KINDS))
    return refresh_answers(context, entities, time_left=ctx.time_left)


def refresh_schedules(settings: Settings) -> list[DefaultSchedule]:
    """Every ``refresh_minutes`` (none when 0)."""
    minutes = settings.delivery.refresh_minutes
    return [DefaultSchedule(DELIVERY_REFRESH, f"every {minutes}m")] if minutes else []


def register_jobs(registry: JobRegistry) -> None:
    """Add this capability's job kinds to the worker's registry."""
    registry.add(
        JobKind(
            DELIVERY_REFRESH,
            run_delivery_refresh,
            schedules=refresh_schedules,
            timeout=timedelta(minutes=15),
            retry=RetryPolicy(attempts=1),  # the next refresh is minutes away
            description="Read every service's pull requests and deploys for the team pages",
        )
    )
