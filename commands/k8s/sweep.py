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

from commands.k8s.alerts import SlackHealthNotifier, send_health_alerts
from runtime.process import Runtime
from slackkit.bot_client import bot_client

if TYPE_CHECKING:
    from integrations.kubernetes import HealthNotification, SweepReport

__all__ = ["HealthSweepOutcome", "run_health_sweep"]

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
    client = client or bot_client(runtime, purpose="The health sweep")
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
