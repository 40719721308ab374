"""``repositories:`` in greenroom.yaml, with tokens read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.errors import ConfigError
from runtime.settings import load_settings

YAML = """
repositories:
  default_provider: ghe
  providers:
    - name: ghe
      type: github
      api_url: https://ghe.globex.example/api/v3/
      owner: globex
      token_env: GHE_TOKEN
      visibility: internal
      team_permission: maintain
    - name: gitlab
      type: gitlab
      owner: globex/services
      token_env: GITLAB_TOKEN
  hosts:
    - url: https://ghe.globex.example
      type: github
      token_env: GHE_READ_TOKEN
  cache:
    max_megabytes: 512
    refresh_minutes: 10
"""


def test_providers_hosts_and_cache_are_read_with_their_tokens(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text(YAML)

    settings = load_settings(config, environ={"GHE_TOKEN": "ghp_secret", "GHE_READ_TOKEN": "r"})
    repositories = settings.repositories

    ghe, gitlab = repositories.providers
    assert ghe.resolved_api_url == "https://ghe.globex.example/api/v3"
    assert ghe.token is not None and ghe.token.get_secret_value() == "ghp_secret"
    assert (ghe.visibility, ghe.resolved_permission) == ("internal", "maintain")
    assert gitlab.token is None  # missing: the publisher says so when it is needed
    assert gitlab.resolved_api_url == "https://gitlab.com/api/v4"
    assert gitlab.resolved_permission == "developer"
    host = repositories.hosts[0]
    assert host.token is not None and host.git_username == "x-access-token"
    assert (repositories.cache.max_megabytes, repositories.cache.refresh_minutes) == (512, 10)
    assert "ghp_secret" not in repr(settings) and "ghp_secret" not in settings.model_dump_json()


def test_default_hosts_are_github_and_gitlab_dot_com(tmp_path: Path) -> None:
    (tmp_path / "greenroom.yaml").write_text("")

    settings = load_settings(tmp_path / "greenroom.yaml", environ={})

    assert [h.url for h in settings.repositories.hosts] == [
        "https://github.com",
        "https://gitlab.com",
    ]


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        (
            "providers: [{name: a, type: github, token_env: T, team_permission: developer}]",
            "team_permission",
        ),
        ("providers: [{name: a, type: svn, token_env: T}]", "type"),
        ("hosts: [{url: 'https://user:pw@github.com'}]", "must not hold credentials"),
        ("hosts: [{url: 'ftp://github.com'}]", "http"),
        (
            "providers: [{name: a, type: github, token_env: T},"
            " {name: a, type: gitlab, token_env: U}]",
            "unique",
        ),
    ],
)
def test_bad_settings_are_config_errors(tmp_path: Path, snippet: str, message: str) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("repositories:\n  " + snippet + "\n")

    with pytest.raises(ConfigError, match=message):
        load_settings(config, environ={})
