"""Finding an entity's docs folder from its techdocs-ref, without leaving its repository."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog import Entity, StoredEntity
from integrations.errors import DocsBuildFailed, DocsSourceUnavailable
from integrations.techdocs.source import resolve_docs_source


def stored(
    annotations: dict[str, str], entity_dir: Path | None, repo_dir: Path | None = None
) -> StoredEntity:
    entity = Entity.model_validate(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "svc", "annotations": annotations},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
        }
    )
    return StoredEntity(
        ref=entity.ref,
        entity=entity,
        source="test",
        location=f"file:{entity_dir}/catalog-info.yaml" if entity_dir else "https://bs/api",
        line=1,
        entity_dir=str(entity_dir) if entity_dir else None,
        repo_dir=str(repo_dir or entity_dir) if entity_dir else None,
        uid="u",
        etag="e",
        updated_at=datetime.now(UTC),
    )


def test_dir_ref_is_relative_to_the_catalog_file(tmp_path: Path) -> None:
    (tmp_path / "services" / "svc" / "site").mkdir(parents=True)
    entity = stored(
        {"backstage.io/techdocs-ref": "dir:./site"}, tmp_path / "services" / "svc", tmp_path
    )
    assert resolve_docs_source(entity).root == (tmp_path / "services" / "svc" / "site").resolve()


def test_dir_ref_may_point_elsewhere_in_the_same_repository(tmp_path: Path) -> None:
    (tmp_path / "docs-site").mkdir()
    (tmp_path / "services" / "svc").mkdir(parents=True)
    entity = stored(
        {"backstage.io/techdocs-ref": "dir:../../docs-site"},
        tmp_path / "services" / "svc",
        tmp_path,
    )
    assert resolve_docs_source(entity).root == (tmp_path / "docs-site").resolve()


def test_dir_ref_leaving_the_repository_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    entity = stored({"backstage.io/techdocs-ref": "dir:../../../etc"}, repo)
    with pytest.raises(DocsBuildFailed, match="points outside the repository"):
        resolve_docs_source(entity)


def test_dir_ref_to_a_missing_folder_says_so(tmp_path: Path) -> None:
    entity = stored({"backstage.io/techdocs-ref": "dir:./nope"}, tmp_path)
    with pytest.raises(DocsBuildFailed, match="no such folder"):
        resolve_docs_source(entity)


def test_dir_ref_of_an_api_synced_entity_is_unavailable_not_broken() -> None:
    entity = stored({"backstage.io/techdocs-ref": "dir:."}, None)
    with pytest.raises(DocsSourceUnavailable, match="not a folder on this machine"):
        resolve_docs_source(entity)


def test_url_ref_into_the_entitys_own_checked_out_repository_is_built_locally(
    tmp_path: Path,
) -> None:
    (tmp_path / "handbook").mkdir()
    entity = stored(
        {
            "backstage.io/techdocs-ref": "url:https://github.com/acme/svc/tree/main/handbook",
            "backstage.io/source-location": "url:https://github.com/acme/svc/tree/main/",
        },
        tmp_path,
    )
    assert resolve_docs_source(entity).root == (tmp_path / "handbook").resolve()


def test_url_ref_to_another_repository_needs_the_repository_cache(tmp_path: Path) -> None:
    entity = stored(
        {
            "backstage.io/techdocs-ref": "url:https://github.com/acme/handbook/tree/main/",
            "backstage.io/source-location": "url:https://github.com/acme/svc/tree/main/",
        },
        tmp_path,
    )
    with pytest.raises(DocsSourceUnavailable, match="no repository cache was given"):
        resolve_docs_source(entity)


@pytest.mark.parametrize("value", ["docs", "dir:", "git:https://x", "url:"])
def test_malformed_annotation_is_a_build_failure_with_the_expected_form(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(DocsBuildFailed, match="must be 'dir:<path>' or 'url:<repository URL>'"):
        resolve_docs_source(stored({"backstage.io/techdocs-ref": value}, tmp_path))
