"""Where scaffolded repositories go, as configured: a GitHub provider of
``repositories.providers`` (through its API, on a loopback fake), or the plain git remote;
and a repository made on GitHub stays in the catalog through the next sync."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.loopback.github_api import FakeGitHub
from catalog import ConfigError, parse_ref
from runtime.process import Runtime, open_runtime

COMPANY = Path(__file__).resolve().parent.parent / "integrations/scaffolder/fixtures/catalog"
TOKEN = "ghp_fake_token_0123456789"
ADA = "ada.lovelace@globex.example"


@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(tmp_path / "github", tokens={TOKEN: "greenroom-bot"}) as fake:
        fake.add_org("globex", "developer-experience", "payments-core")
        yield fake


def runtime(
    tmp_path: Path,
    sqlite_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    github: FakeGitHub,
    scaffolder: str = "",
) -> Runtime:
    shutil.copy(sqlite_template, tmp_path / "greenroom.db")
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    config = tmp_path / "greenroom.yaml"
    config.write_text(
        f"""
database_url: sqlite:///greenroom.db
data_dir: data
catalog:
  sources:
    - name: company
      type: directory
      path: {COMPANY}
      rules: [{{allow: [User, Group]}}]
repositories:
  providers:
    - name: github
      type: github
      api_url: {github.api_url}
      owner: globex
      token_env: GH_TOKEN
scaffolder:
  remote_url_template: "file://{{data_dir}}/git/{{name}}.git"
{scaffolder}
"""
    )
    opened = open_runtime(config)
    assert opened.sync(trigger="test").status == "ok"
    return opened


def test_with_a_provider_configured_repositories_are_created_there_and_stay_in_the_catalog(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch, github: FakeGitHub
) -> None:
    app = runtime(tmp_path, sqlite_template, monkeypatch, github)
    scaffolder = app.scaffolder
    result = scaffolder.run(
        "python-library", {"name": "ledger", "description": "Books."}, scaffolder.caller(ADA)
    )
    assert result.repository.web_url == f"{github.url}/globex/ledger"
    assert github.log("globex/ledger") == [
        "Ada Lovelace <ada.lovelace@globex.example> | Initial commit"
    ]
    assert github.team_repos[("globex", "developer-experience")] == {"globex/ledger": "push"}
    stored = app.catalog.get(parse_ref("component:ledger"))
    assert stored is not None
    assert stored.entity.annotation("github.com/project-slug") == "globex/ledger"
    assert stored.entity.annotation("backstage.io/source-location") == (
        f"url:{github.url}/globex/ledger/tree/main/"
    )
    assert not (tmp_path / "data" / "git").exists()

    report = app.sync(trigger="test")
    registered = next(s for s in report.sources if s.name == "registered")
    assert (registered.status, registered.unchanged, registered.errors) == ("ok", 1, [])


def test_the_git_remote_can_be_chosen_although_providers_exist(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch, github: FakeGitHub
) -> None:
    app = runtime(tmp_path, sqlite_template, monkeypatch, github, "  provider: git")
    scaffolder = app.scaffolder
    result = scaffolder.run(
        "python-library", {"name": "ledger", "description": "Books."}, scaffolder.caller(ADA)
    )
    assert result.repository.clone_url.startswith("file://")
    assert github.api_calls("POST") == []


def test_an_unknown_provider_is_a_configuration_error(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch, github: FakeGitHub
) -> None:
    app = runtime(tmp_path, sqlite_template, monkeypatch, github, "  provider: bitbucket")
    scaffolder = app.scaffolder
    with pytest.raises(ConfigError, match="No repository provider named 'bitbucket'"):
        scaffolder.run(
            "python-library", {"name": "ledger", "description": "x"}, scaffolder.caller(ADA)
        )
