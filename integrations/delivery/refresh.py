"""Refreshing every service's delivery answers (the worker's ``delivery.refresh``), so team
pages, which read only the last good answers, stay current without asking hosts themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from catalog.model import Entity
from integrations.delivery._http import rate_budget_left
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
    run: asking again only uses up what is left of its limit. So is one with less than
    ``refresh_reserve`` of its limit left: that rest is for people's questions."""
    counts: Counter[str] = Counter()
    limited: set[str] = set()
    for entity in entities:
        try:
            target = target_for(entity, context.hosts)
        except NoRepository:
            continue
        api_url = context.settings.api_urls.get(target.host.url) or target.api_url
        left = rate_budget_left(api_url)
        if left is not None and left < context.settings.refresh_reserve:
            limited.add(target.host.url)
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
