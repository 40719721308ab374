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
from slackkit.bot_client import no_slack, workspace_clients
from slackkit.users import UserResolver

__all__ = ["SLACK_MEMBERS", "member_schedules", "register_jobs", "run_members"]

SLACK_MEMBERS = "slack.members"


def run_members(ctx: JobContext) -> JobResult:
    """Read each installed workspace's member list; the result counts members, those mapped
    and unknown emails, over every workspace."""
    runtime = ctx.runtime
    clients = workspace_clients(runtime)
    if not clients:
        raise no_slack("Reading the member list needs Slack")
    ttl = timedelta(minutes=runtime.settings.slack.user_cache_minutes)
    resolver = UserResolver(runtime.engine, runtime.catalog, ttl=ttl)
    found = {"workspaces": 0, "members": 0, "mapped": 0, "unknown_emails": 0}
    for team_id, client in clients:
        learnt = resolver.learn_members(client, team_id or str(client.auth_test()["team_id"]))
        found["workspaces"] += 1
        found["members"] += learnt.members
        found["mapped"] += learnt.mapped
        found["unknown_emails"] += learnt.unknown_emails
    return found


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
