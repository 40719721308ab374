"""The Home tab: the caller's manage page, built from sections that capabilities register.

A capability adds a section in its ``register(app, deps)``::

    def coverage(home: HomeContext) -> list[Block]:
        return [bk.header("Docs"), bk.section(...)]   # [] to show nothing

    deps.home.add_section("docs", coverage, order=40)

Sections are rendered in ``order`` (built-ins use 10-30), each cut to its ``max_blocks``, the
whole view to Slack's 100 blocks. A section that raises is logged and replaced by one line
saying so; the rest of the page still shows. ``HomeContext`` computes the caller's teams and
what they own once, for every section.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from slack_sdk import WebClient

from catalog import Catalog, EntityRef, EntitySummary
from catalog.groups import groups_of_user, owned_by
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.users import Caller

__all__ = ["HomeContext", "HomeRegistry", "HomeSection"]

log = logging.getLogger(__name__)

HomeSection = Callable[["HomeContext"], Sequence[Block]]


class HomeContext:
    """What every Home section may use: the caller, the catalog, and (computed once) the
    caller's teams and what those teams own."""

    def __init__(self, caller: Caller, catalog: Catalog, client: WebClient) -> None:
        self.caller = caller
        self.catalog = catalog
        self.client = client

    @cached_property
    def teams(self) -> list[EntityRef]:
        """The groups the caller is a direct member of."""
        if self.caller.person is None:
            return []
        return groups_of_user(self.catalog, self.caller.person.ref)

    @cached_property
    def owned(self) -> list[EntitySummary]:
        """Everything the caller's teams (and the caller) own."""
        owners = list(self.teams)
        if self.caller.person is not None:
            owners.append(self.caller.person.ref)
        return owned_by(self.catalog, owners) if owners else []


@dataclass(frozen=True)
class _Section:
    key: str
    render: HomeSection
    order: int
    max_blocks: int


class HomeRegistry:
    """The Home tab's sections, and the view they make."""

    def __init__(self) -> None:
        self._sections: dict[str, _Section] = {}

    def add_section(
        self, key: str, render: HomeSection, *, order: int = 100, max_blocks: int = 20
    ) -> None:
        """Add a section; ``key`` names it in logs and must be unique."""
        if key in self._sections:
            raise ValueError(f"Home section {key!r} is already registered")
        self._sections[key] = _Section(key, render, order, max(1, max_blocks))

    def keys(self) -> list[str]:
        """Section keys in display order."""
        return [s.key for s in self._ordered()]

    def build(self, home: HomeContext, *, app_name: str, command: str) -> dict[str, Any]:
        """The ``home`` view for ``views.publish``."""
        view_blocks: list[Block] = [*_greeting(home.caller, command)]
        budget = bk.MAX_VIEW_BLOCKS - 1
        for section in self._ordered():
            try:
                produced = list(section.render(home))[: section.max_blocks]
            except Exception:
                log.exception("Home section %s failed", section.key)
                produced = [bk.context(f"_The {bk.escape(section.key)} section could not load._")]
            if not produced:
                continue
            if len(view_blocks) + len(produced) + 1 > budget:
                view_blocks.append(bk.context("_More sections did not fit on this page._"))
                break
            view_blocks.extend([bk.divider(), *produced])
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        view_blocks.append(bk.context(f"{bk.escape(app_name)} · updated {stamp}"))
        return {"type": "home", "blocks": view_blocks[: bk.MAX_VIEW_BLOCKS]}

    def _ordered(self) -> list[_Section]:
        return sorted(self._sections.values(), key=lambda s: (s.order, s.key))


def _greeting(caller: Caller, command: str) -> list[Block]:
    if caller.person is None:
        why = f" ({bk.escape(caller.problem)})" if caller.problem else ""
        return [
            bk.header("Your manage page"),
            bk.section(
                f"I could not match your Slack account to a catalog user{why}, so this page "
                "cannot show your teams. Add your Slack email as `spec.profile.email` to your "
                "User entity; "
                f"{bk.code(command + ' whoami')} shows what I see."
            ),
        ]
    return [bk.header(f"Hi {bk.truncate(caller.person.display_name, 120)}: your manage page")]
