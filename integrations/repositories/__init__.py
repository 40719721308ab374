"""Repositories: publishing new ones (GitHub, GitLab) and reading any entity's files.

Scaffolder: ``publisher_for(settings.repositories, provider_name)`` gives a
``RepositoryPublisher``; ``owner_team_slug(group_entity, provider_settings(...))`` the team.
TechDocs and migrations: ``RepositoryCache(data_dir / "repos", settings.repositories)``,
then ``folder_for(stored)`` / ``folders_for(stored_entities)`` -> ``RepoFolder`` or
``RepoUnavailable`` (see docs/repositories.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from integrations.repositories.github import (
        GITHUB_PROJECT_SLUG,
        GITHUB_TEAM_SLUG,
        GitHubPublisher,
    )
    from integrations.repositories.gitlab import (
        GITLAB_GROUP_PATH,
        GITLAB_PROJECT_SLUG,
        GitLabPublisher,
    )
    from integrations.repositories.locations import (
        SOURCE_LOCATION,
        RepoLocation,
        RepoLocationError,
        locate_repository,
    )
    from integrations.repositories.providers import (
        owner_team_slug,
        provider_settings,
        publisher_for,
    )

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


# Submodules are imported on first use: a command that needs one thing of this package
# does not pay for all of it (see bot/cli/main.py).
_MODULES = {
    "CacheEntry": "cache",
    "CommitAuthor": "base",
    "GITHUB_PROJECT_SLUG": "github",
    "GITHUB_TEAM_SLUG": "github",
    "GITLAB_GROUP_PATH": "gitlab",
    "GITLAB_PROJECT_SLUG": "gitlab",
    "GitHubPublisher": "github",
    "GitLabPublisher": "gitlab",
    "GitRemotePublisher": "git_remote",
    "PublishedRepository": "base",
    "RepoFolder": "cache",
    "RepoLocation": "locations",
    "RepoLocationError": "locations",
    "RepoResult": "cache",
    "RepoUnavailable": "cache",
    "RepositoriesSettings": "config",
    "RepositoryCache": "cache",
    "RepositoryCacheSettings": "config",
    "RepositoryHostSettings": "config",
    "RepositoryProviderSettings": "config",
    "RepositoryPublisher": "base",
    "RepositoryRequest": "base",
    "SOURCE_LOCATION": "locations",
    "locate_repository": "locations",
    "owner_team_slug": "providers",
    "provider_settings": "providers",
    "publisher_for": "providers",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
