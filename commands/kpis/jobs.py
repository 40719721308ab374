"""KPIs in the worker:

- ``kpis.collect``: read every source for the last ``kpis.backfill_days`` complete days,
  store the values, prune those past ``kpis.retention_days``, then tell teams whose KPIs
  crossed (or got worse past, or recovered from) a threshold, and upload the new KPI chart
  of every team whose chart was shown before; on ``kpis.collect_when``
  (daily by default), once per slot however many workers run;
- ``kpis.digest``: post the KPI leaderboard to a channel (``/greenroom digest add kpis ...``).
"""

from __future__ import annotations

from datetime import UTC, timedelta

from catalog.errors import ConfigError, GreenroomError
from commands.kpis.alerts import tell_thresholds
from commands.kpis.team_chart import refresh_team_charts
from integrations.kpis import collect_kpis
from jobs.context import JobContext, JobResult
from jobs.registry import DefaultSchedule, JobKind, JobRegistry, RetryPolicy
from runtime.settings import Settings
from slackkit.bot_client import bot_client

__all__ = ["KPIS_COLLECT", "KPIS_DIGEST", "collect_schedules", "register_jobs", "run_collect"]

KPIS_COLLECT = "kpis.collect"
KPIS_DIGEST = "kpis.digest"


def run_collect(ctx: JobContext) -> JobResult:
    """Collect, prune, tell thresholds; a failed source is logged and named in the result."""
    runtime = ctx.runtime
    settings = runtime.settings.kpis
    if not settings.sources:
        return {"note": "kpis.sources is not set in greenroom.yaml"}
    today = ctx.slot.astimezone(UTC).date()
    days = int(ctx.params.get("days") or settings.backfill_days)
    report = collect_kpis(runtime.engine, runtime.catalog, settings, today=today, days=days)
    for failed in report.failed:
        ctx.logger.warning("KPI source %s failed: %s", failed.source, failed.failure)
    result: dict[str, object] = dict(report.summary())
    if settings.thresholds:
        try:
            client = bot_client(runtime, purpose="KPI thresholds")
        except ConfigError as error:
            ctx.logger.warning("thresholds not told: %s", error.user_message)
            result["thresholds"] = {"note": error.user_message}
        else:
            last = today - timedelta(days=1)
            result["thresholds"] = tell_thresholds(runtime, client, today=last).summary()
    charts = refresh_team_charts(runtime)
    if any(charts.values()):
        result["charts"] = charts
    return result


def run_digest(ctx: JobContext) -> JobResult:
    """Post the KPI leaderboard (``params["kpi"]``, default the first) to ``params["channel"]``."""
    from commands.kpis.digest import post_kpi_digest

    channel = ctx.params.get("channel")
    if not isinstance(channel, str) or not channel:
        raise ConfigError("kpis.digest needs the param `channel`")
    try:
        client = bot_client(ctx.runtime, purpose="The KPI digest")
    except GreenroomError:
        raise
    return post_kpi_digest(
        ctx.runtime, client, channel=channel, slot=ctx.slot, kpi=ctx.params.get("kpi")
    )


def collect_schedules(settings: Settings) -> list[DefaultSchedule]:
    """On ``kpis.collect_when`` when a source is configured."""
    if not settings.kpis.sources:
        return []
    return [DefaultSchedule(KPIS_COLLECT, settings.kpis.collect_when)]


def register_jobs(registry: JobRegistry) -> None:
    """Add this capability's job kinds to the worker's registry."""
    registry.add(
        JobKind(
            KPIS_COLLECT,
            run_collect,
            schedules=collect_schedules,
            timeout=timedelta(minutes=30),
            # a retry re-reads the same days and replaces them: safe; notices are claimed
            retry=RetryPolicy(attempts=2, backoff=timedelta(minutes=5)),
            grace=timedelta(hours=6),
            description="Collect team KPIs (cost, incidents, security, custom) and tell "
            "teams about thresholds",
            preload=("matplotlib.backends.backend_agg", "matplotlib.figure"),  # team charts
        )
    )
    registry.add(
        JobKind(
            KPIS_DIGEST,
            run_digest,
            timeout=timedelta(minutes=5),
            retry=RetryPolicy(attempts=3, backoff=timedelta(minutes=1)),
            grace=timedelta(hours=1),
            description="Post a channel's KPI leaderboard",
        )
    )
