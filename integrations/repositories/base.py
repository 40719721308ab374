"""What publishing a new repository means, whatever the host (plain git remote, GitHub,
GitLab): create it, push the first commit, and clean up if anything fails after creation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

__all__ = ["CommitAuthor", "PublishedRepository", "RepositoryPublisher", "RepositoryRequest"]


@dataclass(frozen=True, slots=True)
class CommitAuthor:
    """Who the initial commit is authored as (the Slack user, via their catalog User)."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class RepositoryRequest:
    """The repository to create."""

    name: str
    description: str = ""
    visibility: Literal["private", "internal", "public"] = "private"
    topics: tuple[str, ...] = ()
    owner_team_slug: str | None = None
    default_branch: str = "main"


@dataclass(frozen=True, slots=True)
class PublishedRepository:
    """Where the new repository lives; ``annotations`` go into its catalog-info.yaml."""

    web_url: str
    clone_url: str
    annotations: tuple[tuple[str, str], ...] = ()


class RepositoryPublisher(Protocol):
    """Creates and pushes repositories; raises PublishFailed / RepositoryExists."""

    def exists(self, name: str) -> bool:
        """Whether a repository of this name already exists."""
        ...

    def publish(
        self, source_dir: Path, request: RepositoryRequest, author: CommitAuthor
    ) -> PublishedRepository:
        """Create the repository, push ``source_dir`` as its first commit on the default branch.

        Anything created before a failure is removed again (or the error says exactly what
        is left and what to do).
        """
        ...
