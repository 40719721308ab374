"""Tokens never show: not in logs (any logger, DEBUG), error text, reprs, git's argv, remote
URLs, or any file greenroom writes (the cached clones' .git/config included)."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.loopback.github_api import FakeGitHub
from bot.loopback.gitlab_api import FakeGitLab
from integrations.errors import PublishFailed
from integrations.repositories import (
    CommitAuthor,
    GitHubPublisher,
    GitLabPublisher,
    RepositoriesSettings,
    RepositoryCache,
    RepositoryHostSettings,
    RepositoryRequest,
)

from .conftest import GITHUB_TOKEN, GITLAB_TOKEN, github_settings, gitlab_settings, stored_entity

REQUEST = RepositoryRequest("invoice-service", owner_team_slug="globex/payments-core")


def _forms(token: str) -> list[str]:
    """The token and the encodings it travels in."""
    return [token] + [
        base64.b64encode(f"{user}:{token}".encode()).decode()
        for user in ("x-access-token", "oauth2")
    ]


def _assert_absent(token: str, *texts: str) -> None:
    for text in texts:
        for form in _forms(token):
            assert form not in text


@pytest.fixture
def git_argv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Records the arguments of every git process greenroom starts."""
    wrapper_dir = tmp_path / "bin"
    wrapper_dir.mkdir()
    log = tmp_path / "git-argv.log"
    real_git = next(
        Path(d) / "git" for d in os.environ["PATH"].split(":") if (Path(d) / "git").is_file()
    )
    wrapper = wrapper_dir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {real_git} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper_dir}:{os.environ['PATH']}")
    return log


def _all_files_text(root: Path) -> str:
    texts = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            texts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(texts)


def test_github_token_stays_out_of_logs_errors_reprs_and_argv(
    github: FakeGitHub,
    project_dir: Path,
    author: CommitAuthor,
    caplog: pytest.LogCaptureFixture,
    git_argv: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = github_settings(github)
    publisher = GitHubPublisher(settings)
    publisher.publish(project_dir, REQUEST, author)
    github.reject_pushes = True
    github.fail("DELETE", "/repos/.*", 403, {"message": "Must have admin rights"})
    with pytest.raises(PublishFailed) as failed:
        publisher.publish(project_dir, RepositoryRequest("second", owner_team_slug=None), author)
    wrong = GitHubPublisher(github_settings(github, token=SecretStr("ghp_wrong_token_987654")))
    with pytest.raises(PublishFailed) as rejected:
        wrong.publish(project_dir, REQUEST, author)

    assert "push" in git_argv.read_text()  # the wrapper saw the pushes
    assert "HTTP Request: POST" in caplog.text  # and the logs were captured
    texts = [
        caplog.text,
        str(failed.value),
        repr(failed.value),
        str(rejected.value),
        repr(publisher),
        repr(settings),
        settings.model_dump_json(),
        git_argv.read_text(),
    ]
    _assert_absent(GITHUB_TOKEN, *texts)
    _assert_absent("ghp_wrong_token_987654", *texts)
    assert "@" not in git_argv.read_text().split("push", 1)[1].split()[0]  # no user in URL


def test_gitlab_token_stays_out_of_logs_errors_and_argv(
    gitlab: FakeGitLab,
    project_dir: Path,
    author: CommitAuthor,
    caplog: pytest.LogCaptureFixture,
    git_argv: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    gitlab.reject_pushes = True
    publisher = GitLabPublisher(gitlab_settings(gitlab))
    with pytest.raises(PublishFailed) as failed:
        publisher.publish(project_dir, RepositoryRequest("invoice-service"), author)

    _assert_absent(
        GITLAB_TOKEN, caplog.text, str(failed.value), repr(publisher), git_argv.read_text()
    )
    assert ("git-receive-pack", "globex/services/invoice-service", "greenroom-bot") in (
        gitlab.git_requests
    )


def test_cache_credentials_never_land_on_disk_in_argv_or_in_reasons(
    github: FakeGitHub, tmp_path: Path, caplog: pytest.LogCaptureFixture, git_argv: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    github.seed_repository("globex/payments-api", {"mkdocs.yml": "site_name: x\n"})
    settings = RepositoriesSettings(
        hosts=[
            RepositoryHostSettings(
                url=github.url, type="github", token_env="T", token=SecretStr(GITHUB_TOKEN)
            )
        ]
    )
    cache = RepositoryCache(tmp_path / "repos", settings)
    slug = "github.com/project-slug"
    found = cache.folder_for(stored_entity("payments-api", {slug: "globex/payments-api"}))
    missing = cache.folder_for(stored_entity("ghost", {slug: "globex/ghost"}))

    assert (Path(getattr(found, "path", "")) / "mkdocs.yml").is_file()
    assert "globex/ghost" in getattr(missing, "reason", "")
    _assert_absent(
        GITHUB_TOKEN,
        _all_files_text(tmp_path / "repos"),
        caplog.text,
        git_argv.read_text(),
        repr(missing),
        repr(cache),
    )
