"""Telling teams about thresholds: each notice is claimed in the database first (so it is
told once however many workers run), posted to the team's channel, and released again when
the post fails (the next collection tries again)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from commands.kpis.blocks import threshold_text
from integrations.kpis import (
    ThresholdNotice,
    claim_notice,
    configured_kpis,
    release_notice,
    threshold_notices,
)
from runtime.process import Runtime

__all__ = ["ThresholdOutcome", "tell_thresholds"]

log = logging.getLogger(__name__)


@dataclass
class ThresholdOutcome:
    """What the thresholds step did."""

    told: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {"told": self.told, "skipped": self.skipped, "failed": self.failed}


def tell_thresholds(runtime: Runtime, client: WebClient, *, today: date) -> ThresholdOutcome:
    """Post every threshold notice that is due to its team's channel."""
    settings = runtime.settings.kpis
    outcome = ThresholdOutcome()
    notices = threshold_notices(
        runtime.engine,
        runtime.catalog,
        configured_kpis(settings),
        settings.thresholds,
        today=today,
        window_days=settings.window_days,
        team_channels=settings.team_channels,
    )
    command = runtime.settings.slack.command
    for notice in notices:
        key = f"{notice.group.short} {notice.spec.name} {notice.change}"
        channel = notice.channel or settings.default_channel
        if channel is None:
            outcome.skipped.append(f"{key}: no channel")
            continue
        if not claim_notice(runtime.engine, notice):
            continue
        if _post(client, channel, notice, command):
            outcome.told.append(key)
        else:
            release_notice(runtime.engine, notice)
            outcome.failed.append(key)
    return outcome


def _post(client: WebClient, channel: str, notice: ThresholdNotice, command: str) -> bool:
    text, blocks = threshold_text(notice, command=command)
    try:
        client.chat_postMessage(channel=channel.lstrip("#"), text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("KPI threshold message to %s failed: %s", channel, error.response.get("error"))
        return False
    except SlackClientError as error:
        log.warning("KPI threshold message to %s failed: %s", channel, type(error).__name__)
        return False
    return True
