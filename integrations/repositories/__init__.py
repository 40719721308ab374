"""Repositories: publishing new ones (GitHub, GitLab) and reading any entity's files.

Scaffolder: ``publisher_for(settings.repositories, provider_name)`` gives a
``RepositoryPublisher``; ``owner_team_slug(group_entity, provider_settings(...))`` the team.
TechDocs and migrations: ``RepositoryCache(data_dir / "repos", settings.repositories)``,
then ``folder_for(stored)`` / ``folders_for(stored_entities)`` -> ``RepoFolder`` or
``RepoUnavailable`` (see docs/repositories.md).
"""

from __future__ import annotations

from integrations.repositories.base import (
    CommitAuthor,
    PublishedRepository,
    RepositoryPublisher,
    RepositoryRequest,
)
from integrations.repositories.cache import (
    CacheEntry,
    RepoFolder,
    RepoResult,
    RepositoryCache,
    RepoUnavailable,
)
from integrations.repositories.config import (
    RepositoriesSettings,
    RepositoryCacheSettings,
    RepositoryHostSettings,
    RepositoryProviderSettings,
)
from integrations.repositories.git_remote import GitRemotePublisher
from integrations.repositories.github import GITHUB_PROJECT_SLUG, GITHUB_TEAM_SLUG, GitHubPublisher
from integrations.repositories.gitlab import GITLAB_GROUP_PATH, GITLAB_PROJECT_SLUG, GitLabPublisher
from integrations.repositories.locations import (
    SOURCE_LOCATION,
    RepoLocation,
    RepoLocationError,
    locate_repository,
)
from integrations.repositories.providers import owner_team_slug, provider_settings, publisher_for

__all__ = [
    "GITHUB_PROJECT_SLUG",
    "GITHUB_TEAM_SLUG",
    "GITLAB_GROUP_PATH",
    "GITLAB_PROJECT_SLUG",
    "SOURCE_LOCATION",
    "CacheEntry",
    "CommitAuthor",
    "GitHubPublisher",
    "GitLabPublisher",
    "GitRemotePublisher",
    "PublishedRepository",
    "RepoFolder",
    "RepoLocation",
    "RepoLocationError",
    "RepoResult",
    "RepoUnavailable",
    "RepositoriesSettings",
    "RepositoryCache",
    "RepositoryCacheSettings",
    "RepositoryHostSettings",
    "RepositoryProviderSettings",
    "RepositoryPublisher",
    "RepositoryRequest",
    "locate_repository",
    "owner_team_slug",
    "provider_settings",
    "publisher_for",
]
