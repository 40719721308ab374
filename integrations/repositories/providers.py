"""Choosing where a scaffolded repository goes: the provider a template names (or the default
one), the publisher for it, and the owning team's slug on that platform."""

from __future__ import annotations

from catalog.errors import ConfigError
from catalog.model import Entity
from integrations.repositories.base import RepositoryPublisher
from integrations.repositories.config import RepositoriesSettings, RepositoryProviderSettings
from integrations.repositories.github import GITHUB_TEAM_SLUG, GitHubPublisher
from integrations.repositories.gitlab import GITLAB_GROUP_PATH, GitLabPublisher

__all__ = ["TEAM_ANNOTATIONS", "owner_team_slug", "provider_settings", "publisher_for"]

TEAM_ANNOTATIONS = {"github": GITHUB_TEAM_SLUG, "gitlab": GITLAB_GROUP_PATH}


def provider_settings(
    settings: RepositoriesSettings, name: str | None = None
) -> RepositoryProviderSettings:
    """The provider called ``name``; without a name, ``default_provider`` or the only one."""
    providers = {p.name: p for p in settings.providers}
    if not providers:
        raise ConfigError(
            "No repository provider is configured: add one under repositories.providers in "
            "greenroom.yaml (see docs/repositories.md)."
        )
    wanted = name or settings.default_provider
    if wanted is None:
        if len(providers) > 1:
            raise ConfigError(
                "Several repository providers are configured and none is chosen: set "
                f"repositories.default_provider to one of {', '.join(sorted(providers))}."
            )
        return next(iter(providers.values()))
    if wanted not in providers:
        raise ConfigError(
            f"No repository provider named {wanted!r}; configured: {', '.join(sorted(providers))}."
        )
    return providers[wanted]


def publisher_for(settings: RepositoriesSettings, name: str | None = None) -> RepositoryPublisher:
    """The publisher of a provider; raises ConfigError (naming the env var) when its token is
    missing, before anything is created."""
    provider = provider_settings(settings, name)
    if provider.type == "github":
        return GitHubPublisher(provider)
    return GitLabPublisher(provider)


def owner_team_slug(owner: Entity | None, provider: RepositoryProviderSettings) -> str | None:
    """The owning Group's team on the provider's platform: ``github.com/team-slug``
    (``org/slug``) for GitHub, ``gitlab.com/group-path`` (``group/subgroup``) for GitLab."""
    if owner is None or owner.kind.lower() != "group":
        return None
    value = owner.annotation(TEAM_ANNOTATIONS[provider.type])
    return value.strip() or None if value else None
