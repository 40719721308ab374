"""Refreshing every service's delivery answers (the worker's ``delivery.refresh``), so team
pages, which read only the last good answers, stay current without asking hosts themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from catalog.model import Entity
from integrations.delivery.answers import DeliveryContext, deploys_of, pull_requests_of
from integrations.delivery.errors import HostUnavailable, NoRepository, RateLimited
from integrations.delivery.hosts import target_for

__all__ = ["refresh_answers"]


def refresh_answers(
    context: DeliveryContext,
    entities: Iterable[Entity],
    *,
    time_left: Callable[[], float] = lambda: 1e9,
) -> dict[str, int]:
    """Read pull requests and deploys of every entity that names a repository; counts of
    refreshed, failed and skipped ones. A rate-limited host is left alone for the rest of the
    run: asking again only uses up what is left of its limit."""
    counts: Counter[str] = Counter()
    limited: set[str] = set()
    for entity in entities:
        try:
            target = target_for(entity, context.hosts)
        except NoRepository:
            continue
        if target.host.url in limited or time_left() <= 5:
            counts["skipped"] += 1
            continue
        try:
            pull_requests_of(context, entity, fallback=False)
            deploys_of(context, entity, fallback=False)
        except RateLimited:
            limited.add(target.host.url)
            counts["failed"] += 1
            continue
        except HostUnavailable:
            counts["failed"] += 1
            continue
        counts["refreshed"] += 1
    return {key: counts[key] for key in ("refreshed", "failed", "skipped")}
