"""The seam between delivery answers and a host: what greenroom asks GitHub or GitLab."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from integrations.delivery.models import (
    Commit,
    Comparison,
    EnvironmentDeploy,
    PullRequest,
    Repository,
)

__all__ = ["DeliveryHost", "parse_time", "pull_request_of"]

#: "Merge pull request #12 from ...", a squash merge's "Title (#12)", GitLab's "See merge
#: request group/project!12"
_MERGED_PR = (
    re.compile(r"^Merge pull request #(\d+)"),
    re.compile(r"\(#(\d+)\)\s*$", re.MULTILINE),
    re.compile(r"See merge request \S*!(\d+)"),
)


class DeliveryHost(Protocol):
    """One repository on GitHub or GitLab. Raises ``HostUnavailable`` (and its leaves)."""

    def repository(self) -> Repository:
        """The repository and its default branch (``RepositoryGone`` if it does not exist)."""
        ...

    def open_pull_requests(self, *, limit: int) -> tuple[list[PullRequest], bool]:
        """Open pull requests with review and check state, newest first; and whether more."""
        ...

    def pull_request(self, number: int) -> PullRequest | None:
        """One pull request, in any state."""
        ...

    def environments(self, production: Sequence[str]) -> list[EnvironmentDeploy]:
        """Each environment's last successful deployment (without the change since)."""
        ...

    def compare(self, base: str, head: str, *, limit: int = 50) -> Comparison | None:
        """``head`` against ``base``; None when either ref is unknown."""
        ...

    def commit(self, ref: str) -> Commit | None:
        """The commit a sha, tag or branch names; None when it names none."""
        ...

    def contains(self, ancestor: str, descendant: str) -> bool | None:
        """Whether ``descendant``'s history includes ``ancestor``; None if either is unknown."""
        ...


def pull_request_of(message: str) -> int | None:
    """The pull request a merge or squash commit's message names."""
    for pattern in _MERGED_PR:
        match = pattern.search(message)
        if match:
            return int(match[1])
    return None


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 timestamp from a host (``Z`` or an offset), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
