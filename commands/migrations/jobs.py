"""Tech migrations in the worker:

- ``migrations.evaluate``: check every entity in scope of every configured migration, after
  every successful catalog sync (repository files change without any entity changing) and on
  request (``greenroom jobs run migrations.evaluate``);
- ``migrations.digest``: post one subscription's digest (a migration's leaderboard and chart,
  or the catalog-quality report) to its channel, once per scheduled slot
  (commands/migrations/digest_posts.py);
  schedules come from ``/greenroom digest add`` and from ``migrations.digests`` in greenroom.yaml;
- ``migrations.nudges``: remind teams of what is left in opted-in migrations, hourly.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from catalog.errors import ConfigError, GreenroomError
from catalog.tech_migrations import (
    QUALITY_SUBJECT,
    MigrationSet,
    evaluate_configured,
    load_migrations,
)
from commands.migrations.digest_content import digest_content
from commands.migrations.digest_posts import publish_digest
from commands.migrations.nudges import send_nudges
from commands.migrations.subscription_blocks import paused_notice
from commands.migrations.subscriptions import DIGEST_KIND, check_digest_schedule, subscription_key
from jobs.context import JobContext, JobResult
from jobs.registry import DefaultSchedule, JobKind, JobRegistry, PruneRule, RetryPolicy
from jobs.schedules import set_schedule_enabled
from runtime.settings import Settings
from slackkit.bot_client import bot_client

__all__ = [
    "MIGRATIONS_DIGEST",
    "MIGRATIONS_EVALUATE",
    "MIGRATIONS_NUDGES",
    "digest_schedules",
    "nudge_schedules",
    "register_jobs",
    "run_digest",
    "run_evaluate",
    "run_nudges",
]

MIGRATIONS_EVALUATE = "migrations.evaluate"
MIGRATIONS_DIGEST = DIGEST_KIND
MIGRATIONS_NUDGES = "migrations.nudges"
_LISTED = 50
_NOT_CONFIGURED = "migrations.path is not set in greenroom.yaml"


def run_evaluate(ctx: JobContext) -> JobResult:
    """Evaluate every valid definition; invalid ones are reported in the result, not fatal."""
    runtime = ctx.runtime
    settings = runtime.settings
    if settings.migrations.path is None:
        return {"evaluated": {}, "invalid": [], "note": _NOT_CONFIGURED}
    run = evaluate_configured(
        runtime.engine,
        settings.migrations,
        base_dir=settings.config_dir,
        repositories=runtime.repository_cache,
    )
    for problem in run.problems:
        ctx.logger.warning("invalid migration definition left out: %s", problem)
    for report in run.reports:
        ctx.logger.info(
            "%s: %d/%d done, %d failing, %d errors, %d changed (%.2f s)",
            report.migration_id,
            report.done,
            report.total,
            report.failing,
            report.errors,
            report.changed,
            report.seconds,
        )
    return {
        "evaluated": {
            r.migration_id: {
                "done": r.done,
                "total": r.total,
                "failing": r.failing,
                "errors": r.errors,
                "changed": r.changed,
            }
            for r in run.reports
        },
        "invalid": [str(p) for p in run.problems][:_LISTED],
    }


def run_digest(ctx: JobContext) -> JobResult:
    """Post the digest of ``params["subject"]`` to ``params["channel"]`` for this slot, unless
    an earlier attempt did; ``params["subscription"]`` (default: the channel's key) names it."""
    channel, subject = ctx.params.get("channel"), ctx.params.get("subject")
    if not isinstance(channel, str) or not isinstance(subject, str) or not channel or not subject:
        raise ConfigError("migrations.digest needs the params `channel` and `subject`")
    subscription = str(ctx.params.get("subscription") or subscription_key(channel, subject))
    runtime = ctx.runtime
    client = bot_client(runtime, purpose="The digest")
    migration = None
    if subject != QUALITY_SUBJECT:
        settings = runtime.settings
        loaded = load_migrations(settings.migrations.folder(settings.config_dir))
        if _gone(loaded, subject):
            return _pause(ctx, client, subscription, channel, subject)
        migration = loaded.get(subject)  # a broken definition fails the run, naming the field
    today = ctx.slot.date()
    outcome = publish_digest(
        client,
        runtime.engine,
        subscription=subscription,
        channel=channel,
        slot=ctx.slot,
        run_id=ctx.run_id,
        build=lambda previous: digest_content(runtime, migration, previous, today=today),
    )
    ctx.logger.info("digest %s for %s: %s", subscription, ctx.slot.isoformat(), outcome.status)
    return {"subscription": subscription, **outcome.summary()}


def _gone(loaded: MigrationSet, subject: str) -> bool:
    """A migration that is neither defined nor merely broken (a broken definition fails the
    run, visibly, until someone fixes the file)."""
    return subject not in loaded.ids and all(p.migration != subject for p in loaded.problems)


def _pause(
    ctx: JobContext, client: WebClient, subscription: str, channel: str, subject: str
) -> JobResult:
    """Pause a Slack subscription whose migration is gone and tell its channel, once;
    greenroom.yaml's cannot be paused from here, so they are only logged."""
    paused = set_schedule_enabled(ctx.runtime.engine, subscription, False)
    ctx.logger.warning("digest %s: migration %r is gone; paused=%s", subscription, subject, paused)
    if paused:
        text = paused_notice(subject, command=ctx.runtime.settings.slack.command)
        try:
            client.chat_postMessage(channel=channel, text=text)
        except SlackApiError as error:
            ctx.logger.warning("could not tell %s: %s", channel, error.response.get("error"))
    return {"subscription": subscription, "status": "paused" if paused else "skipped"}


def run_nudges(ctx: JobContext) -> JobResult:
    """Send the nudges that are due in every migration that opts in."""
    settings = ctx.runtime.settings
    if settings.migrations.path is None:
        return {"migrations": 0, "note": _NOT_CONFIGURED}
    loaded = load_migrations(settings.migrations.folder(settings.config_dir))
    opted = [m for m in loaded.migrations if m.nudges is not None]
    if not opted:
        return {"migrations": 0}
    report = send_nudges(ctx.runtime, bot_client(ctx.runtime, purpose="Nudges"), opted)
    ctx.logger.info("nudges: %s", report.summary())
    return {"migrations": len(opted), **report.summary()}


def digest_schedules(settings: Settings) -> list[DefaultSchedule]:
    """One schedule per ``migrations.digests`` entry, its id the subscription's key; a wrong
    entry stops the worker at start with the setting's name."""
    found: dict[str, int] = {}
    schedules = []
    for index, config in enumerate(settings.migrations.digests):
        field = f"migrations.digests[{index}]"
        try:
            check_digest_schedule(config.when)
        except GreenroomError as error:
            raise ConfigError(f"{field}.when: {error.user_message}") from None
        key = subscription_key(config.channel, config.subject)
        if key in found:
            raise ConfigError(
                f"{field}: channel {config.channel} already gets the {config.subject} digest "
                f"(migrations.digests[{found[key]}])"
            )
        found[key] = index
        params: dict[str, Any] = {
            "channel": config.channel,
            "subject": config.subject,
            "subscription": key,
        }
        schedules.append(DefaultSchedule(key, config.when, params, timezone=config.timezone))
    return schedules


def nudge_schedules(settings: Settings) -> list[DefaultSchedule]:
    """Hourly, when migrations are configured (each nudge keeps its own interval)."""
    if settings.migrations.path is None:
        return []
    return [DefaultSchedule(MIGRATIONS_NUDGES, "hourly")]


def register_jobs(registry: JobRegistry) -> None:
    """Add this capability's job kinds to the worker's registry."""
    registry.add(
        JobKind(
            MIGRATIONS_EVALUATE,
            run_evaluate,
            timeout=timedelta(minutes=30),
            retry=RetryPolicy(attempts=2, backoff=timedelta(minutes=2)),
            description="Check every entity in scope of every tech migration",
        )
    )
    # after every sync, changed or not: repository checks read files that change without any
    # entity changing (a Dockerfile's base image)
    registry.after_sync(MIGRATIONS_EVALUATE, only_if_changed=False)
    registry.add(
        JobKind(
            MIGRATIONS_DIGEST,
            run_digest,
            schedules=digest_schedules,
            timeout=timedelta(minutes=5),
            # retries are safe: the post is claimed per slot and a retry only finishes what its
            # attempt left (the chart)
            retry=RetryPolicy(attempts=3, backoff=timedelta(minutes=1)),
            grace=timedelta(hours=1),
            description="Post a channel's migration leaderboard or catalog-quality digest",
            # the chart: matplotlib, imported by the worker once, not by each digest's process
            preload=("matplotlib.backends.backend_agg", "matplotlib.figure"),
        )
    )
    registry.add(
        JobKind(
            MIGRATIONS_NUDGES,
            run_nudges,
            schedules=nudge_schedules,
            timeout=timedelta(minutes=15),
            description="Remind teams of what is left in migrations that opt in to nudges",
        )
    )
    registry.add_prune_rule(
        PruneRule(
            "digest_posts",
            "digest_posts",
            "claimed_at",
            timedelta(days=400),
            keep_latest_by="subscription",
        )
    )
