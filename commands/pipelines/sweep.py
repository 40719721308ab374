"""The worker's pipelines sweep: check every pipeline, keep the badges fresh, and tell owning
teams (and the teams downstream of a late dataset) what changed. State is committed before
anything is posted, so each change is told at most once, even when Slack refuses a message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from slack_sdk import WebClient

from commands.pipelines.alerts import send_pipeline_alerts
from integrations.pipelines import (
    Engines,
    PipelineNotification,
    PipelineSweepReport,
    sweep_pipelines,
)
from runtime.process import Runtime
from slackkit.bot_client import bot_client
from slackkit.channel_alerts import ChannelPoster

__all__ = ["PipelinesSweepOutcome", "run_pipelines_sweep"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PipelinesSweepOutcome:
    """The sweep's report, and how many of its notifications reached Slack."""

    report: PipelineSweepReport
    posted: int
    failed: tuple[tuple[PipelineNotification, str], ...]

    def summary(self) -> dict[str, Any]:
        """Small JSON for the job's run record."""
        return {
            "states": self.report.states,
            "seconds": round(self.report.seconds, 2),
            "posted": self.posted,
            "failed": len(self.failed),
            "unreachable": [source for source, _ in self.report.unreachable],
        }


def run_pipelines_sweep(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    min_interval: float = 1.0,
    transport: httpx.BaseTransport | None = None,
) -> PipelinesSweepOutcome:
    """Sweep every pipeline and post what changed; ConfigError (before sweeping) when
    greenroom has no way to post to Slack."""
    client = client or bot_client(runtime, purpose="The pipelines sweep")
    settings = runtime.settings
    clusters = runtime.clusters if settings.kubernetes.clusters else None
    engines = Engines(
        settings.pipelines,
        clusters,
        timeout=settings.pipelines.sweep_timeout_seconds,
        # each of sweep_concurrency pipelines asks Airflow and every cluster at once
        workers=settings.pipelines.sweep_concurrency * (2 + len(settings.kubernetes.clusters)),
        transport=transport,
    )
    try:
        report = sweep_pipelines(
            runtime.catalog,
            engines,
            team_channels=dict(settings.kubernetes.team_channels),
            default_channel=settings.kubernetes.default_channel,
        )
    finally:
        engines.close()
    poster = ChannelPoster(client, min_interval=min_interval, what="pipeline alert")
    failed = send_pipeline_alerts(poster, report.notifications, command=settings.slack.command)
    for notification, reason in failed:
        log.warning("pipeline alert about %s not sent: %s", notification.entity.short, reason)
    for source, reason in report.unreachable:
        log.warning("%s did not answer the pipelines sweep: %s", source, reason)
    return PipelinesSweepOutcome(report, len(report.notifications) - len(failed), tuple(failed))
