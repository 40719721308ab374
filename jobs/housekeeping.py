"""``housekeeping``: apply every prune rule the engine and the capabilities registered (old job
runs, worker rows, sync reports, stale Slack user mappings) and drop expired cache rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.context import JobContext, JobResult
from jobs.pruning import expiry_rules, prune
from jobs.registry import JobKind, JobRegistry, PruneRule, RetryPolicy

__all__ = ["HOUSEKEEPING", "register_housekeeping", "run_housekeeping"]


def run_housekeeping(ctx: JobContext) -> JobResult:
    """Apply every prune rule; ``worker.retention_days.<rule>`` overrides a rule's retention."""
    engine = ctx.runtime.engine
    rules = [*ctx.registry.prune_rules, *expiry_rules(engine)]
    deleted = prune(
        engine,
        rules,
        now=datetime.now(UTC),
        retention_days=ctx.runtime.settings.worker.retention_days,
    )
    ctx.logger.info("pruned %s", ", ".join(f"{k}: {v}" for k, v in deleted.items()) or "nothing")
    return {"deleted": deleted}


HOUSEKEEPING = JobKind(
    "housekeeping",
    run_housekeeping,
    cron="daily 03:30",
    timeout=timedelta(minutes=10),
    retry=RetryPolicy(attempts=2, backoff=timedelta(minutes=5)),
    description="Delete old sync runs, job runs, worker rows and expired cache rows",
)


def register_housekeeping(registry: JobRegistry) -> None:
    """The engine's own job: prune its run records (capabilities add their own rules)."""
    registry.add(HOUSEKEEPING)
    registry.add_prune_rule(
        PruneRule(
            "job_runs", "job_runs", "finished_at", timedelta(days=30), keep_latest_by="schedule_id"
        )
    )
    registry.add_prune_rule(PruneRule("workers", "workers", "last_seen", timedelta(days=7)))
