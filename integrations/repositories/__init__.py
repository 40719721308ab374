"""Repositories: publishing new ones (git remote, GitHub, GitLab) and reading any entity's."""

from __future__ import annotations

from integrations.repositories.base import (
    CommitAuthor,
    PublishedRepository,
    RepositoryPublisher,
    RepositoryRequest,
)
from integrations.repositories.git_remote import GitRemotePublisher

__all__ = [
    "CommitAuthor",
    "GitRemotePublisher",
    "PublishedRepository",
    "RepositoryPublisher",
    "RepositoryRequest",
]
