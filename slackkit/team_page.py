"""Sections other capabilities add to a team's page (``/greenroom team <group>``).

A capability adds one in its ``register(app, deps)``::

    def coverage(team: Team) -> list[Block]:
        return [bk.section(...)]            # [] shows nothing

    deps.team_page.add_section("docs", coverage, order=40, max_blocks=2)

Sections follow the team's own facts and the list of what it owns, on every page of it, in
``order``, each cut to ``max_blocks``. A section that raises is logged and replaced by one
line saying so; the rest of the page still shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from catalog.groups import Team
from slackkit import blocks as bk
from slackkit.blocks import Block

__all__ = ["TeamPageRegistry", "TeamSection"]

log = logging.getLogger(__name__)

TeamSection = Callable[[Team], Sequence[Block]]


@dataclass(frozen=True)
class _Section:
    key: str
    render: TeamSection
    order: int
    max_blocks: int


class TeamPageRegistry:
    """The extra sections of team pages."""

    def __init__(self) -> None:
        self._sections: dict[str, _Section] = {}

    def add_section(
        self, key: str, render: TeamSection, *, order: int = 100, max_blocks: int = 3
    ) -> None:
        """Add a section; ``key`` names it in logs and must be unique."""
        if key in self._sections:
            raise ValueError(f"team page section {key!r} is already registered")
        self._sections[key] = _Section(key, render, order, max(1, max_blocks))

    def render(self, team: Team) -> list[Block]:
        """Every section's blocks for ``team``, in order."""
        blocks: list[Block] = []
        for section in sorted(self._sections.values(), key=lambda s: (s.order, s.key)):
            try:
                blocks.extend(list(section.render(team))[: section.max_blocks])
            except Exception:
                log.exception("Team page section %s failed", section.key)
                blocks.append(bk.context(f"_The {bk.escape(section.key)} section could not load._"))
        return blocks
