"""Badges next to entities in lists (the team page): small marks other capabilities add, such
as a service's Kubernetes health.

A capability adds a source in its ``register(app, deps)``::

    def health(refs: Sequence[EntityRef]) -> dict[EntityRef, str]:
        return {ref: ":red_circle: _failing_" for ref in failing(refs)}   # escaped mrkdwn

    deps.badges.add_source("k8s", health, order=10)

Lists call ``deps.badges.for_refs(refs)`` once per page and put the text before each entity.
A source that raises is logged and skipped: a list never fails because of a badge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from catalog import EntityRef

__all__ = ["BadgeRegistry", "BadgeSource"]

log = logging.getLogger(__name__)

BadgeSource = Callable[[Sequence[EntityRef]], Mapping[EntityRef, str]]


@dataclass(frozen=True)
class _Source:
    key: str
    badges: BadgeSource
    order: int


class BadgeRegistry:
    """The badge sources, in order, and the badges they give a list of entities."""

    def __init__(self) -> None:
        self._sources: dict[str, _Source] = {}

    def add_source(self, key: str, badges: BadgeSource, *, order: int = 100) -> None:
        """Add a source; ``key`` names it in logs and must be unique."""
        if key in self._sources:
            raise ValueError(f"badge source {key!r} is already registered")
        self._sources[key] = _Source(key, badges, order)

    def for_refs(self, refs: Sequence[EntityRef]) -> dict[EntityRef, str]:
        """Each entity's badges (escaped mrkdwn, joined by spaces); entities without any are
        left out."""
        found: dict[EntityRef, list[str]] = {}
        if not refs:
            return {}
        for source in sorted(self._sources.values(), key=lambda s: (s.order, s.key)):
            try:
                given = source.badges(refs)
            except Exception:
                log.exception("Badge source %s failed", source.key)
                continue
            for ref, text in given.items():
                if text:
                    found.setdefault(ref, []).append(text)
        return {ref: " ".join(texts) for ref, texts in found.items()}
