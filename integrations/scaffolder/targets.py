"""Where a template's repositories go: a publisher (the plain git remote, or a GitHub/GitLab
provider of ``repositories.providers``), how the owning team is named there, and the
visibility new repositories get. ``runtime/scaffolding.py`` chooses one per template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from catalog import Entity
from integrations.repositories import RepositoryPublisher

__all__ = ["GIT_TARGET", "PublishTarget", "TargetChooser", "Visibility", "single_target"]

GIT_TARGET = "git"
Visibility = Literal["private", "internal", "public"]


def _no_team(owner: Entity | None) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class PublishTarget:
    """A publisher and what it needs to know about the request; ``name`` is recorded with
    the registered location (it selects the credentials used to read it again)."""

    name: str
    publisher: RepositoryPublisher
    team_slug: Callable[[Entity | None], str | None] = _no_team
    visibility: Visibility = "private"


#: Given a template's ``provider`` (None: it names none), the target to publish to.
TargetChooser = Callable[[str | None], PublishTarget]


def single_target(publisher: RepositoryPublisher, name: str = GIT_TARGET) -> TargetChooser:
    """Every template publishes with ``publisher``."""
    target = PublishTarget(name, publisher)
    return lambda provider: target
