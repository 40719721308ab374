"""``catalog.sync``: read the catalog sources into the database, on a schedule or on request.

Sources with their own ``interval_minutes`` get their own schedule (``catalog.sync:<name>``);
the others share ``catalog.sync`` at ``catalog.interval_minutes``. After a run that changed the
catalog, the worker requests every after-sync hook (docs builds, migration evaluation...).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from bot.settings import Settings
from catalog.errors import ConfigError, SourceUnavailable
from catalog.sync import sync_catalog
from jobs.context import JobContext, JobResult
from jobs.registry import CATALOG_SYNC, DefaultSchedule, JobKind, RetryPolicy, registry

__all__ = ["run_catalog_sync", "sync_schedules"]


def run_catalog_sync(ctx: JobContext) -> JobResult:
    """Sync the sources named in ``params["sources"]`` (default: all configured; an empty list
    only reviews removed sources); the removal guard applies, except to sources in
    ``params["allow_removals"]`` (allowed by ``params["allowed_by"]``)."""
    configured = ctx.runtime.sources()
    sources = configured
    wanted = ctx.params.get("sources")
    if wanted is not None:
        unknown = sorted(set(wanted) - {s.name for s in sources})
        if unknown:
            raise ConfigError(f"no catalog source named {', '.join(unknown)} in greenroom.yaml")
        sources = [s for s in sources if s.name in wanted]
    if not configured and wanted is None:
        raise ConfigError("no catalog sources are configured (catalog.sources in greenroom.yaml)")
    options = ctx.runtime.sync_options(
        f"worker:{ctx.trigger}",
        configured=[s.name for s in configured],
        allow_removals=ctx.params.get("allow_removals") or (),
        allowed_by=str(ctx.params.get("allowed_by") or "worker"),
    )
    report = sync_catalog(ctx.runtime.engine, sources, options)
    unreadable = [s for s in report.sources if s.status in {"unavailable", "failed"}]
    if sources and report.status == "failed":
        details = "; ".join(f"{s.name}: {s.error}" for s in unreadable)
        raise SourceUnavailable(f"no catalog source could be read ({details})")
    return {
        "sync_run_id": report.run_id,
        "status": report.status if sources else "ok",  # a review of removed sources only
        "changed": report.changed,
        "added": sum(len(s.added) for s in report.sources),
        "updated": sum(len(s.updated) + len(s.adopted) for s in report.sources),
        "removed": sum(len(s.removed) for s in report.sources),
        "errors": sum(len(s.errors) for s in report.sources),
        "unavailable": [s.name for s in unreadable],
        "held": [asdict(s.hold) for s in report.held if s.hold is not None],
        "removed_sources": [asdict(n) for n in report.removed_sources],
    }


def sync_schedules(settings: Settings) -> list[DefaultSchedule]:
    """One schedule per source with its own interval, one for all the others."""
    catalog = settings.catalog
    own = [s for s in catalog.sources if s.interval_minutes]
    shared = [s.name for s in catalog.sources if not s.interval_minutes]
    schedules = [
        DefaultSchedule(
            f"{CATALOG_SYNC}:{s.name}", f"every {s.interval_minutes}m", {"sources": [s.name]}
        )
        for s in own
    ]
    if shared:
        every = f"every {catalog.interval_minutes}m"
        schedules.insert(0, DefaultSchedule(CATALOG_SYNC, every, {"sources": shared}))
    return schedules


registry.add(
    JobKind(
        CATALOG_SYNC,
        run_catalog_sync,
        schedules=sync_schedules,
        timeout=timedelta(minutes=20),
        retry=RetryPolicy(attempts=3, backoff=timedelta(minutes=1)),
        description="Read every catalog source into the database",
    )
)
