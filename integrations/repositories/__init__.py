"""Repositories: publishing new ones (git remote, GitHub, GitLab) and reading any entity's."""

from __future__ import annotations

from integrations.repositories.base import (
    CommitAuthor,
    PublishedRepository,
    RepositoryPublisher,
    RepositoryRequest,
)

__all__ = ["CommitAuthor", "PublishedRepository", "RepositoryPublisher", "RepositoryRequest"]
