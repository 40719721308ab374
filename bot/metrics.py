"""Prometheus metrics of the Slack app, on a registry of its own (one per web app), served at
``/metrics``. Under ``greenroom serve`` (PROMETHEUS_MULTIPROC_DIR set) every process writes
its metrics to files there and ``/metrics`` adds them all up."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["Metrics"]

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    """Requests, time to ack, replies and their latency by subcommand, and failures."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "greenroom_slack_requests", "HTTP requests from Slack", ["kind", "status"], registry=r
        )
        self.ack_seconds = Histogram(
            "greenroom_slack_ack_seconds",
            "Time to answer Slack's request",
            ["kind"],
            buckets=_FAST,
            registry=r,
        )
        self.replies = Counter(
            "greenroom_slack_replies",
            "Answers by subcommand and outcome",
            ["command", "outcome"],
            registry=r,
        )
        self.reply_seconds = Histogram(
            "greenroom_slack_reply_seconds",
            "Time from Slack's request to the reply sent",
            ["command"],
            buckets=_FAST,
            registry=r,
        )
        self.send_failures = Counter(
            "greenroom_slack_send_failures", "Replies Slack did not accept", ["via"], registry=r
        )
        self.duplicates = Counter(
            "greenroom_slack_duplicates", "Deliveries skipped as already answered", registry=r
        )

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            shared = CollectorRegistry()
            MultiProcessCollector(shared)  # type: ignore[no-untyped-call]
            return generate_latest(shared)
        return generate_latest(self.registry)
