"""The scheduled health sweep: check every annotated service, keep the badges fresh, and tell
owning teams about new and resolved problems in their channels.

``run_health_sweep(runtime)`` is the job body the worker runs every
``kubernetes.sweep_interval_minutes``. The sweep commits its state before anything is posted,
so a problem is announced at most once, even when Slack refuses a message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import select

from bot.health_alerts import SlackHealthNotifier, send_health_alerts
from bot.runtime import Runtime
from bot.slack_client import build_client
from catalog import ConfigError

if TYPE_CHECKING:
    from integrations.kubernetes import HealthNotification, SweepReport

__all__ = ["HealthSweepOutcome", "alert_client", "run_health_sweep"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthSweepOutcome:
    """The sweep's report, and how many of its notifications reached Slack."""

    report: SweepReport
    posted: int
    failed: tuple[tuple[HealthNotification, str], ...]

    def summary(self) -> dict[str, Any]:
        """Small JSON for the job's run record."""
        return {
            "statuses": self.report.statuses,
            "seconds": round(self.report.seconds, 2),
            "posted": self.posted,
            "failed": len(self.failed),
            "unreachable": [name for name, _ in self.report.unreachable],
        }


def run_health_sweep(
    runtime: Runtime, *, client: WebClient | None = None, min_interval: float = 1.0
) -> HealthSweepOutcome:
    """Sweep every service and post what changed; ConfigError (before sweeping, so nothing is
    lost) when greenroom has no way to post to Slack."""
    client = client or alert_client(runtime)
    from integrations.kubernetes import sweep_health

    report = sweep_health(runtime.catalog, runtime.clusters)
    notifier = SlackHealthNotifier(
        client, command=runtime.settings.slack.command, min_interval=min_interval
    )
    failed = send_health_alerts(notifier, report.notifications)
    for notification, reason in failed:
        log.warning("health alert about %s not sent: %s", notification.entity.short, reason)
    for cluster, reason in report.unreachable:
        log.warning("cluster %s did not answer the sweep: %s", cluster, reason)
    posted = len(report.notifications) - len(failed)
    return HealthSweepOutcome(report, posted, tuple(failed))


def alert_client(runtime: Runtime) -> WebClient:
    """A Web API client with the bot token: ``SLACK_BOT_TOKEN``, or in OAuth mode the one
    workspace greenroom is installed in."""
    slack = runtime.settings.slack
    if slack.mode == "single":
        if slack.bot_token is None:
            raise ConfigError(
                "The health sweep posts to Slack: set SLACK_BOT_TOKEN (or install the app "
                "with SLACK_CLIENT_ID + SLACK_CLIENT_SECRET)."
            )
        return build_client(slack, token=slack.bot_token.get_secret_value())
    assert slack.client_id is not None
    store = SQLAlchemyInstallationStore(client_id=slack.client_id, engine=runtime.engine)
    with runtime.engine.connect() as conn:
        columns = store.bots.c
        workspaces = conn.execute(
            select(columns.enterprise_id, columns.team_id)
            .where(columns.client_id == slack.client_id)
            .distinct()
        ).all()
    if len(workspaces) != 1:
        raise ConfigError(
            f"The health sweep posts to one workspace; greenroom is installed in "
            f"{len(workspaces)}. Install it in exactly one, or use SLACK_BOT_TOKEN."
        )
    enterprise_id, team_id = workspaces[0]
    bot = store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
    if bot is None or not bot.bot_token:
        raise ConfigError("The installed workspace has no bot token; reinstall the app.")
    return build_client(slack, token=bot.bot_token)
