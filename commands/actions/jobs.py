"""``actions.expire``: requests nobody decided in time expire; their message in the team
channel says so and the requester is told."""

from __future__ import annotations

from datetime import timedelta

from jobs.context import JobContext, JobResult
from jobs.registry import JobKind, JobRegistry, RetryPolicy
from slackkit import blocks as bk
from slackkit.bot_client import bot_client

__all__ = ["ACTIONS_EXPIRE", "register_jobs", "run_actions_expire"]

ACTIONS_EXPIRE = "actions.expire"


def run_actions_expire(ctx: JobContext) -> JobResult:
    """Expire due requests, update their messages and tell the requesters."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from commands.actions.blocks import decided_message
    from integrations.actions import ActionService, get_action

    runtime = ctx.runtime
    service = ActionService(runtime.engine, runtime.catalog, runtime.settings.actions)
    expired = service.expire_due()
    told = 0
    if expired:
        client = bot_client(runtime, purpose="Expiring action requests")
        for request in expired:
            title = get_action(request.action).title
            line = ":hourglass: Expired: nobody decided in time."
            try:
                if request.channel and request.message_ts:
                    client.chat_update(
                        channel=request.channel,
                        ts=request.message_ts,
                        **decided_message(request, title, line),
                    )
                text = (
                    f"Your request to {title.lower()} {bk.code(request.target.name)} of "
                    f"{bk.code(request.entity.short)} expired: nobody decided in time."
                )
                client.chat_postMessage(channel=request.requester.slack_user_id, text=text)
                told += 1
            except (SlackApiError, SlackClientError, OSError) as error:
                ctx.logger.warning("expiry of %s not posted: %s", request.id, type(error).__name__)
    return {"expired": len(expired), "told": told}


def register_jobs(registry: JobRegistry) -> None:
    """Add this capability's job kinds to the worker's registry."""
    registry.add(
        JobKind(
            ACTIONS_EXPIRE,
            run_actions_expire,
            every=timedelta(minutes=5),
            timeout=timedelta(minutes=2),
            retry=RetryPolicy(attempts=1),
            description="Expire action requests nobody approved in time, and say so",
        )
    )
