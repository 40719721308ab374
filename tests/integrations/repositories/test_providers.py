"""Choosing the provider and publisher for a template, and the owning team's slug."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from catalog.errors import ConfigError
from catalog.model import Entity
from integrations.repositories import (
    GitHubPublisher,
    GitLabPublisher,
    RepositoriesSettings,
    RepositoryProviderSettings,
    owner_team_slug,
    provider_settings,
    publisher_for,
)

GITHUB = RepositoryProviderSettings(
    name="github", type="github", owner="globex", token_env="GH", token=SecretStr("t1")
)
GITLAB = RepositoryProviderSettings(
    name="gitlab", type="gitlab", owner="globex", token_env="GL", token=SecretStr("t2")
)


def _group(annotations: dict[str, str], kind: str = "Group") -> Entity:
    return Entity.model_validate(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": kind,
            "metadata": {"name": "payments-core", "annotations": annotations},
            "spec": {"type": "team", "children": []},
        }
    )


def test_a_template_names_its_provider() -> None:
    settings = RepositoriesSettings(providers=[GITHUB, GITLAB])

    assert isinstance(publisher_for(settings, "gitlab"), GitLabPublisher)
    assert isinstance(publisher_for(settings, "github"), GitHubPublisher)


def test_without_a_name_the_default_or_only_provider_is_used() -> None:
    assert provider_settings(RepositoriesSettings(providers=[GITLAB])) == GITLAB
    both = RepositoriesSettings(providers=[GITHUB, GITLAB], default_provider="gitlab")
    assert provider_settings(both) == GITLAB


@pytest.mark.parametrize(
    ("settings", "name", "message"),
    [
        (RepositoriesSettings(), None, "No repository provider is configured"),
        (
            RepositoriesSettings(providers=[GITHUB, GITLAB]),
            None,
            "set repositories.default_provider",
        ),
        (RepositoriesSettings(providers=[GITHUB]), "bitbucket", "No repository provider named"),
    ],
)
def test_an_unclear_choice_is_a_config_error(
    settings: RepositoriesSettings, name: str | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        provider_settings(settings, name)


def test_the_owning_team_comes_from_the_platforms_annotation() -> None:
    group = _group(
        {
            "github.com/team-slug": "globex/payments-core",
            "gitlab.com/group-path": "globex/squads/payments",
        }
    )

    assert owner_team_slug(group, GITHUB) == "globex/payments-core"
    assert owner_team_slug(group, GITLAB) == "globex/squads/payments"
    assert owner_team_slug(_group({}), GITHUB) is None
    assert owner_team_slug(_group({"github.com/team-slug": "x/y"}, kind="User"), GITHUB) is None
    assert owner_team_slug(None, GITHUB) is None
