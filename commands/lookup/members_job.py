"""``slack.members``: the workspace's member list read into the Slack user cache, as often as
the cache's entries expire (``slack.user_cache_minutes``); on a new install, at once with
``greenroom jobs run slack.members``.

Without it a new install asks Slack one email at a time for every person a reply mentions
(``users.lookupByEmail``), thousands of calls in its first minutes; the member list is one
call per 200 members (slackkit/users.py ``learn_members``)."""

from __future__ import annotations

from datetime import timedelta

from jobs.context import JobContext, JobResult
from jobs.registry import DefaultSchedule, JobKind, JobRegistry, RetryPolicy
from runtime.settings import Settings
from slackkit.bot_client import bot_client
from slackkit.users import UserResolver

__all__ = ["SLACK_MEMBERS", "member_schedules", "register_jobs", "run_members"]

SLACK_MEMBERS = "slack.members"


def run_members(ctx: JobContext) -> JobResult:
    """Read the member list; the result counts members, those mapped, unknown emails."""
    runtime = ctx.runtime
    client = bot_client(runtime, purpose="Reading the workspace's member list")
    team_id = str(client.auth_test()["team_id"])
    ttl = timedelta(minutes=runtime.settings.slack.user_cache_minutes)
    learnt = UserResolver(runtime.engine, runtime.catalog, ttl=ttl).learn_members(client, team_id)
    return {
        "members": learnt.members,
        "mapped": learnt.mapped,
        "unknown_emails": learnt.unknown_emails,
    }


def member_schedules(settings: Settings) -> list[DefaultSchedule]:
    """Every ``slack.user_cache_minutes``, when greenroom has a bot token to read with."""
    slack = settings.slack
    if slack.mode == "single" and slack.bot_token is None:
        return []
    return [DefaultSchedule(SLACK_MEMBERS, f"every {slack.user_cache_minutes}m")]


def register_jobs(registry: JobRegistry) -> None:
    """Add the member-list job to the worker's registry."""
    registry.add(
        JobKind(
            SLACK_MEMBERS,
            run_members,
            schedules=member_schedules,
            timeout=timedelta(minutes=30),  # users.list is rate limited (Tier 2)
            retry=RetryPolicy(attempts=2, backoff=timedelta(minutes=5)),
            description="Read the Slack workspace's member list into the user cache",
        )
    )
