"""What mkdocs gets to see: a copy of the docs, never a file outside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from integrations.errors import DocsBuildFailed
from integrations.techdocs.mkdocs_config import sanitize_mkdocs_config
from integrations.techdocs.source import DocsSource
from integrations.techdocs.staging import read_config, source_hash, stage_docs

from .docs_world import write_files


def stage(repo: Path, staging: Path, **limits: int) -> list[str]:
    source = DocsSource(repo, "dir:.")
    config = sanitize_mkdocs_config(
        read_config(source, "Svc"), default_site_name="Svc", site_url=None, strict=True
    )
    staged = stage_docs(
        source,
        config,
        staging,
        max_files=limits.get("max_files", 100),
        max_bytes=limits.get("max_bytes", 1_000_000),
    )
    return list(staged.warnings)


def test_docs_are_copied_with_the_sanitized_config_beside_them(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {"mkdocs.yml": "site_name: Svc\n", "docs/index.md": "# Hi\n", "src/x.py": ""})
    stage(repo, tmp_path / "stage")
    assert (tmp_path / "stage" / "docs" / "index.md").read_text() == "# Hi\n"
    assert "strict: true" in (tmp_path / "stage" / "mkdocs.yml").read_text()
    assert not (tmp_path / "stage" / "src").exists()


def test_symlink_to_a_file_outside_the_repository_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {"mkdocs.yml": "site_name: Svc\n", "docs/index.md": "# Hi\n"})
    (repo / "docs" / "passwd.md").symlink_to("/etc/passwd")
    with pytest.raises(DocsBuildFailed, match=r"docs/passwd.md is a symlink pointing outside"):
        stage(repo, tmp_path / "stage")
    assert not (tmp_path / "stage" / "docs" / "passwd.md").exists()


def test_docs_folder_that_is_a_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    write_files(outside, {"index.md": "# secret\n"})
    write_files(repo, {"mkdocs.yml": "site_name: Svc\n"})
    (repo / "docs").symlink_to(outside)
    with pytest.raises(DocsBuildFailed, match="symlink pointing outside the repository"):
        stage(repo, tmp_path / "stage")


def test_mkdocs_yml_symlinked_from_outside_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(tmp_path, {"elsewhere.yml": "site_name: Svc\n"})
    write_files(repo, {"docs/index.md": "# Hi\n"})
    (repo / "mkdocs.yml").symlink_to(tmp_path / "elsewhere.yml")
    with pytest.raises(DocsBuildFailed, match=r"mkdocs\.yml is a symlink pointing outside"):
        read_config(DocsSource(repo, "dir:."), "Svc")


def test_symlink_inside_the_repository_is_copied_as_a_file(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {"mkdocs.yml": "site_name: Svc\n", "docs/index.md": "# Hi\n"})
    write_files(repo, {"CHANGELOG.md": "# Changes\n"})
    (repo / "docs" / "changes.md").symlink_to(repo / "CHANGELOG.md")
    stage(repo, tmp_path / "stage")
    copied = tmp_path / "stage" / "docs" / "changes.md"
    assert copied.read_text() == "# Changes\n" and not copied.is_symlink()


def test_root_readme_becomes_the_home_page_when_docs_have_none(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {"README.md": "# Readme home\n"})
    stage(repo, tmp_path / "stage")
    assert (tmp_path / "stage" / "docs" / "index.md").read_text() == "# Readme home\n"


def test_docs_readme_is_left_for_mkdocs_to_use_as_the_home_page(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {"README.md": "# Root\n", "docs/README.md": "# Docs readme\n"})
    stage(repo, tmp_path / "stage")
    assert not (tmp_path / "stage" / "docs" / "index.md").exists()
    assert (tmp_path / "stage" / "docs" / "README.md").is_file()


def test_no_docs_and_no_readme_is_a_clear_failure(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    with pytest.raises(DocsBuildFailed, match="no docs: the folder docs/ does not exist"):
        stage(tmp_path / "repo", tmp_path / "stage")


def test_nav_naming_a_missing_file_is_reported_before_mkdocs_runs(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(
        repo, {"mkdocs.yml": "site_name: S\nnav: [index.md, gone.md]\n", "docs/index.md": "# H\n"}
    )
    with pytest.raises(DocsBuildFailed, match=r"nav refers to missing file 'gone\.md'"):
        stage(repo, tmp_path / "stage")


def test_too_many_files_are_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {f"docs/p{n}.md": "# p\n" for n in range(5)})
    with pytest.raises(DocsBuildFailed, match="too large to build"):
        stage(repo, tmp_path / "stage", max_files=3)


def test_fingerprint_changes_with_docs_and_config_but_not_with_code(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {"mkdocs.yml": "site_name: S\n", "docs/index.md": "# H\n", "app.py": "1"})
    source = DocsSource(repo, "dir:.")
    first = source_hash(source, "recipe")
    write_files(repo, {"app.py": "2"})
    assert source_hash(source, "recipe") == first
    write_files(repo, {"docs/index.md": "# H2\n"})
    second = source_hash(source, "recipe")
    assert second != first
    write_files(repo, {"mkdocs.yml": "site_name: T\n"})
    assert source_hash(source, "recipe") != second
    assert source_hash(source, "other recipe") != source_hash(source, "recipe")


def test_fingerprint_follows_a_custom_docs_dir(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {"mkdocs.yml": "site_name: S\ndocs_dir: handbook\n", "handbook/a.md": "1"})
    source = DocsSource(repo, "dir:.")
    first = source_hash(source, "r")
    write_files(repo, {"handbook/a.md": "2"})
    assert source_hash(source, "r") != first
    os.utime(repo / "handbook" / "a.md")
    assert source_hash(source, "r") == source_hash(source, "r")
