"""Loopback GitHub and GitLab fakes, a rendered project folder, and settings pointing at them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.loopback.github_api import FakeGitHub
from bot.loopback.gitlab_api import FakeGitLab
from catalog.model import Entity
from catalog.store import StoredEntity
from integrations.repositories import CommitAuthor, RepositoryProviderSettings

GITHUB_TOKEN = "ghp_fake_token_0123456789"
GITLAB_TOKEN = "glpat-fake-token-0123456789"


@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    """A GitHub Enterprise-style API with organisation ``globex`` and a few teams."""
    with FakeGitHub(tmp_path / "github") as fake:
        fake.add_org("globex", "payments-core", "checkout-squad", "sre-squad")
        yield fake


@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[FakeGitLab]:
    """A self-managed GitLab with group ``globex/services`` and the squads' groups."""
    with FakeGitLab(tmp_path / "gitlab") as fake:
        fake.add_group("globex/services")
        fake.add_group("globex/squads/payments-core")
        yield fake


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """What a template rendered: a small service folder."""
    root = tmp_path / "rendered" / "invoice-service"
    (root / "docs").mkdir(parents=True)
    (root / "README.md").write_text("# invoice-service\n")
    (root / "docs" / "index.md").write_text("# Docs\n")
    (root / "catalog-info.yaml").write_text("apiVersion: backstage.io/v1alpha1\nkind: Component\n")
    return root


@pytest.fixture
def author() -> CommitAuthor:
    return CommitAuthor("Jane Doe", "jane.doe@globex.example")


def github_settings(fake: FakeGitHub, **changes: object) -> RepositoryProviderSettings:
    values: dict[str, object] = {
        "name": "github",
        "type": "github",
        "api_url": fake.api_url,
        "owner": "globex",
        "token_env": "GREENROOM_GITHUB_TOKEN",
        "token": SecretStr(GITHUB_TOKEN),
    }
    return RepositoryProviderSettings.model_validate(values | changes)


def gitlab_settings(fake: FakeGitLab, **changes: object) -> RepositoryProviderSettings:
    values: dict[str, object] = {
        "name": "gitlab",
        "type": "gitlab",
        "api_url": fake.api_url,
        "owner": "globex/services",
        "token_env": "GREENROOM_GITLAB_TOKEN",
        "token": SecretStr(GITLAB_TOKEN),
    }
    return RepositoryProviderSettings.model_validate(values | changes)


def stored_entity(
    name: str,
    annotations: dict[str, str] | None = None,
    *,
    entity_dir: Path | None = None,
    repo_dir: Path | None = None,
) -> StoredEntity:
    """A Component as the store hands it out (API-synced unless ``entity_dir`` is given)."""
    entity = Entity.model_validate(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": name, "annotations": annotations or {}},
            "spec": {"type": "service", "lifecycle": "production", "owner": "payments-core"},
        }
    )
    return StoredEntity(
        ref=entity.ref,
        entity=entity,
        source="backstage" if entity_dir is None else "directory",
        location=f"url:https://backstage.example.com/{name}",
        line=None,
        entity_dir=str(entity_dir) if entity_dir else None,
        repo_dir=str(repo_dir) if repo_dir else None,
        uid=f"uid-{name}",
        etag="etag",
        updated_at=datetime.now(UTC),
    )
