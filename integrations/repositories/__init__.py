"""Repositories: publishing new ones (GitHub, GitLab) and reading any entity's files.

Scaffolder: ``publisher_for(settings.repositories, provider_name)`` gives a
``RepositoryPublisher``; ``owner_team_slug(group_entity, provider_settings(...))`` the team.
TechDocs and migrations: ``RepositoryCache(data_dir / "repos", settings.repositories)``,
then ``folder_for(stored)`` / ``folders_for(stored_entities)`` -> ``RepoFolder`` or
``RepoUnavailable`` (see docs/repositories.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.repositories.base import (
        CommitAuthor as CommitAuthor,
        PublishedRepository as PublishedRepository,
        RepositoryPublisher as RepositoryPublisher,
        RepositoryRequest as RepositoryRequest,
    )
    from integrations.repositories.cache import (
        CacheEntry as CacheEntry,
        RepoFolder as RepoFolder,
        RepoResult as RepoResult,
        RepositoryCache as RepositoryCache,
        RepoUnavailable as RepoUnavailable,
    )
    from integrations.repositories.config import (
        RepositoriesSettings as RepositoriesSettings,
        RepositoryCacheSettings as RepositoryCacheSettings,
        RepositoryHostSettings as RepositoryHostSettings,
        RepositoryProviderSettings as RepositoryProviderSettings,
    )
    from integrations.repositories.git_remote import (
        GitRemotePublisher as GitRemotePublisher,
    )
    from integrations.repositories.github import (
        GITHUB_PROJECT_SLUG as GITHUB_PROJECT_SLUG,
        GITHUB_TEAM_SLUG as GITHUB_TEAM_SLUG,
        GitHubPublisher as GitHubPublisher,
    )
    from integrations.repositories.gitlab import (
        GITLAB_GROUP_PATH as GITLAB_GROUP_PATH,
        GITLAB_PROJECT_SLUG as GITLAB_PROJECT_SLUG,
        GitLabPublisher as GitLabPublisher,
    )
    from integrations.repositories.locations import (
        SOURCE_LOCATION as SOURCE_LOCATION,
        RepoLocation as RepoLocation,
        RepoLocationError as RepoLocationError,
        locate_repository as locate_repository,
    )
    from integrations.repositories.providers import (
        owner_team_slug as owner_team_slug,
        provider_settings as provider_settings,
        publisher_for as publisher_for,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
