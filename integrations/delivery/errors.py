"""Why a repository host could not answer, in words a user can act on. Leaves of the tree in
``catalog/errors.py``::

    GreenroomError
    ├── NoRepository           the entity names no repository on a configured host
    ├── PullRequestNotFound    the repository has no pull request of that number
    └── HostUnavailable        GitHub or GitLab could not be asked (network, 5xx, timeout)
        ├── RateLimited        its API rate limit is used up; ``reset_at`` says until when
        ├── HostRejected       401/403: the token is missing, wrong or not allowed
        └── RepositoryGone     404: renamed, moved or deleted (or the token cannot see it)
"""

from __future__ import annotations

from datetime import datetime

from catalog.errors import GreenroomError

__all__ = [
    "HostRejected",
    "HostUnavailable",
    "NoRepository",
    "PullRequestNotFound",
    "RateLimited",
    "RepositoryGone",
]


class HostUnavailable(GreenroomError):
    """The host did not answer usefully; the last good answer may still be shown."""


class RateLimited(HostUnavailable):
    """The host's API rate limit is used up until ``reset_at`` (None: unknown)."""

    def __init__(self, message: str, *, reset_at: datetime | None) -> None:
        self.reset_at = reset_at
        super().__init__(message)


class HostRejected(HostUnavailable):
    """The host refused the token (401) or its rights (403)."""


class RepositoryGone(HostUnavailable):
    """The repository does not exist at the annotated name any more."""


class NoRepository(GreenroomError):
    """The entity's annotations name no GitHub or GitLab repository greenroom may read."""


class PullRequestNotFound(GreenroomError):
    """The repository exists but has no pull request of that number."""
