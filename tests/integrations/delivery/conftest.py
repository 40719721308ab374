"""A loopback GitHub and GitLab with one service repository each, a few commits on main, and
the host settings (with read tokens) that reach them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from bot.loopback.github_api import FakeGitHub
from bot.loopback.gitlab_api import FakeGitLab
from catalog.model import Entity
from integrations.delivery import DeliveryContext, DeliverySettings
from integrations.repositories import RepositoryHostSettings

GITHUB_TOKEN = "ghp_fake_token_0123456789"
GITLAB_TOKEN = "glpat-fake-token-0123456789"
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class Repo:
    """A repository and its commits on main, oldest first."""

    slug: str
    commits: list[str]


@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(tmp_path / "github") as fake:
        yield fake


@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[FakeGitLab]:
    with FakeGitLab(tmp_path / "gitlab") as fake:
        yield fake


def seed_history(fake: FakeGitHub | FakeGitLab, slug: str, messages: list[str]) -> Repo:
    """The repository with one seed commit and then a commit per message."""
    commits = [fake.seed_repository(slug, {"README.md": "# service\n"})]
    for index, message in enumerate(messages):
        commits.append(fake.commit(slug, {f"change-{index}.txt": message}, message=message))
    return Repo(slug, commits)


def hosts(
    github: FakeGitHub | None = None, gitlab: FakeGitLab | None = None
) -> list[RepositoryHostSettings]:
    found = []
    if github is not None:
        found.append(
            RepositoryHostSettings(
                url=github.url, type="github", token=SecretStr(GITHUB_TOKEN), token_env="GH_READ"
            )
        )
    if gitlab is not None:
        found.append(
            RepositoryHostSettings(
                url=gitlab.url, type="gitlab", token=SecretStr(GITLAB_TOKEN), token_env="GL_READ"
            )
        )
    return found


def context(engine: Engine, *hosts_: RepositoryHostSettings, **settings: object) -> DeliveryContext:
    return DeliveryContext(
        settings=DeliverySettings(**({"fresh_seconds": 0} | settings)),  # type: ignore[arg-type]
        hosts=list(hosts_),
        engine=engine,
    )


def service(name: str, **annotations: str) -> Entity:
    return Entity.model_validate(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": name, "annotations": annotations},
            "spec": {"type": "service", "lifecycle": "production", "owner": "payments"},
        }
    )


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)
