"""Sending nudges: each team that still has work in an opted-in migration hears about it at
most once per the migration's interval, as a DM to each member or a post in its channel.

A nudge is claimed (``claim_nudge``) before anything is sent, so several workers, or a run
that fails half-way, never send it twice within the interval. A nudge none of whose
messages Slack took (every post refused) is released again, so the next round retries it;
one that reached anybody is not resent. Members are found in Slack by their catalog
``slack.com/user_id`` annotation or their email (``users.lookupByEmail``); members without a
Slack account are skipped and counted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from catalog.tech_migrations import (
    MigrationDefinition,
    Nudge,
    claim_nudge,
    nudges_due,
    release_nudge,
)
from commands.migrations.blocks import source_links
from commands.migrations.nudge_blocks import nudge_message
from runtime.process import Runtime
from slackkit import blocks as bk
from slackkit.users import UserResolver

__all__ = ["NudgeReport", "send_nudges"]

log = logging.getLogger(__name__)


@dataclass
class NudgeReport:
    """What one round of nudges did."""

    teams: int = 0
    messages: int = 0
    members_not_in_slack: int = 0
    teams_without_channel: int = 0
    failed: int = 0
    retry_later: int = 0

    def summary(self) -> dict[str, Any]:
        """Small JSON for the job's run record."""
        return {
            "teams": self.teams,
            "messages": self.messages,
            "members_not_in_slack": self.members_not_in_slack,
            "teams_without_channel": self.teams_without_channel,
            "failed": self.failed,
            "retry_later": self.retry_later,
        }


def send_nudges(
    runtime: Runtime,
    client: WebClient,
    migrations: Iterable[MigrationDefinition],
    *,
    now: datetime | None = None,
) -> NudgeReport:
    """Send every nudge that is due for the opted-in ``migrations``."""
    now = now or datetime.now(UTC)
    report = NudgeReport()
    resolver = UserResolver(
        runtime.engine,
        runtime.catalog,
        ttl=timedelta(minutes=runtime.settings.slack.user_cache_minutes),
    )
    team_id: str | None = None
    for migration in migrations:
        for nudge in nudges_due(runtime.engine, runtime.catalog, migration, now=now):
            if nudge.send_to == "channel" and not nudge.channel:
                report.teams_without_channel += 1
                log.warning(
                    "nudge for %s about %s not sent: the group has no slack.com/channel",
                    nudge.team.short,
                    nudge.migration_id,
                )
                continue
            if nudge.send_to == "members":  # before the claim: a failure here loses nothing
                team_id = team_id or str(client.auth_test()["team_id"])
            if not claim_nudge(runtime.engine, nudge, now=now):
                continue  # another worker sent it
            report.teams += 1
            text, blocks = nudge_message(
                nudge,
                today=now.date(),
                links=source_links(runtime.catalog.get_many(i.ref for i in nudge.items).values()),
                command=runtime.settings.slack.command,
            )
            message = {"text": bk.escape(text), "blocks": blocks}
            sent, failed = report.messages, report.failed
            if nudge.send_to == "channel":
                assert nudge.channel is not None
                _post(client, nudge, nudge.channel, message, report)
            else:
                assert team_id is not None
                ids = resolver.slack_ids(client, team_id, nudge.members, wait_for=None)
                report.members_not_in_slack += len(nudge.members) - len(ids)
                for person in nudge.members:
                    if person.ref in ids:
                        _direct_message(client, nudge, ids[person.ref], message, report)
            if report.messages == sent and report.failed > failed:
                release_nudge(runtime.engine, nudge, claimed_at=now)
                report.retry_later += 1
    return report


def _direct_message(
    client: WebClient, nudge: Nudge, user_id: str, message: dict[str, Any], report: NudgeReport
) -> None:
    try:
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
    except (SlackApiError, SlackClientError, OSError) as error:
        report.failed += 1
        log.warning("nudge DM to %s not opened: %s", user_id, _reason(error))
        return
    _post(client, nudge, channel, message, report)


def _post(
    client: WebClient, nudge: Nudge, channel: str, message: dict[str, Any], report: NudgeReport
) -> None:
    try:
        client.chat_postMessage(channel=channel, unfurl_links=False, **message)
    except (SlackApiError, SlackClientError, OSError) as error:
        report.failed += 1
        log.warning(
            "nudge to %s about %s not sent to %s: %s",
            nudge.team.short,
            nudge.migration_id,
            channel,
            _reason(error),
        )
        return
    report.messages += 1


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return type(error).__name__
