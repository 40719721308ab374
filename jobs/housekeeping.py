"""``housekeeping``: prune old sync runs, job runs, worker rows, stale Slack user mappings and
expired cache rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.context import JobContext, JobResult
from jobs.pruning import expiry_rules, prune
from jobs.registry import JobKind, PruneRule, RetryPolicy, registry

__all__ = ["run_housekeeping"]


def run_housekeeping(ctx: JobContext) -> JobResult:
    """Apply every prune rule; ``worker.retention_days.<rule>`` overrides a rule's retention."""
    engine = ctx.runtime.engine
    rules = [*registry.prune_rules, *expiry_rules(engine)]
    deleted = prune(
        engine,
        rules,
        now=datetime.now(UTC),
        retention_days=ctx.runtime.settings.worker.retention_days,
    )
    ctx.logger.info("pruned %s", ", ".join(f"{k}: {v}" for k, v in deleted.items()) or "nothing")
    return {"deleted": deleted}


registry.add_prune_rule(PruneRule("sync_runs", "sync_runs", "started_at", timedelta(days=30)))
registry.add_prune_rule(
    PruneRule(
        "job_runs", "job_runs", "finished_at", timedelta(days=30), keep_latest_by="schedule_id"
    )
)
registry.add_prune_rule(PruneRule("workers", "workers", "last_seen", timedelta(days=7)))
# Slack user -> catalog user mappings of people not seen for a month (re-asked if they return)
registry.add_prune_rule(PruneRule("slack_users", "slack_users", "checked_at", timedelta(days=30)))
# Emails Slack did not know: trusted for slack.user_cache_minutes, kept a month at most
registry.add_prune_rule(
    PruneRule("slack_email_misses", "slack_email_misses", "checked_at", timedelta(days=30))
)
registry.add(
    JobKind(
        "housekeeping",
        run_housekeeping,
        cron="daily 03:30",
        timeout=timedelta(minutes=10),
        retry=RetryPolicy(attempts=2, backoff=timedelta(minutes=5)),
        description="Delete old sync runs, job runs, worker rows and expired cache rows",
    )
)
