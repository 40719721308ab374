"""Prometheus metrics of the Slack app, on a registry of its own (one per web app), served at
``/metrics``. Under ``greenroom serve`` (PROMETHEUS_MULTIPROC_DIR set) every process writes
its metrics to files there and ``/metrics`` adds them all up. State kept in the database (the
catalog's held sources) is read when ``/metrics`` is scraped (``Metrics.watch``), so it is
right whichever process changed it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from catalog.holds import list_open_holds

__all__ = ["CatalogHoldsCollector", "Metrics"]

log = logging.getLogger(__name__)

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

        #: collectors read at scrape time (database state), once each by name
        self.live = CollectorRegistry()
        self._watched: set[str] = set()

    def watch(self, collector: Collector) -> None:
        """Serve ``collector``'s metrics too (a second one of the same type is ignored)."""
        name = type(collector).__name__
        if name not in self._watched:
            self._watched.add(name)
            self.live.register(collector)

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            shared = CollectorRegistry()
            MultiProcessCollector(shared)  # type: ignore[no-untyped-call]
            return generate_latest(shared) + generate_latest(self.live)
        return generate_latest(self.registry) + generate_latest(self.live)


class CatalogHoldsCollector(Collector):
    """Catalog sources waiting for an admin: a sync held for removing too much, or a source
    gone from greenroom.yaml whose entities are still kept (alert on ``greenroom_catalog_holds
    > 0``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        try:
            with self.engine.connect() as conn:
                holds = list_open_holds(conn)
        except SQLAlchemyError as error:
            log.warning("could not read the catalog's held sources for /metrics: %s", error)
            return
        count = GaugeMetricFamily(
            "greenroom_catalog_holds",
            "Catalog sources whose removals wait for an admin, by reason",
            labels=["reason"],
        )
        removals = GaugeMetricFamily(
            "greenroom_catalog_held_removals",
            "Entities a held catalog source would remove, by source and reason",
            labels=["source", "reason"],
        )
        for reason in ("removals", "source_removed"):
            count.add_metric([reason], sum(1 for h in holds if h.reason == reason))
        for hold in holds:
            removals.add_metric([hold.source, hold.reason], hold.removing)
        yield count
        yield removals
