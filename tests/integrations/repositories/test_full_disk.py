"""A full disk under the clone cache: the entity's folder is unavailable with a reason that
says so and where, no half clone is left to be read, and the next use clones once there is
room. The disk is a real size-limited tmpfs (tests/full_disk.py)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.loopback.github_api import FakeGitHub
from integrations.repositories import RepoFolder, RepositoryCache, RepoUnavailable
from tests.full_disk import fill, small_disk  # noqa: F401 - small_disk is a fixture

from .conftest import stored_entity
from .test_cache import SOURCE, _settings


def test_a_clone_on_a_full_disk_is_unavailable_saying_why_and_the_next_use_clones(
    github: FakeGitHub,
    small_disk: Path,  # noqa: F811 - the fixture imported above
) -> None:
    blob = os.urandom(256 * 1024).hex()  # does not compress: it takes room
    files = {"services/api/mkdocs.yml": "site_name: api\n", "blob.txt": blob}
    github.seed_repository("globex/payments", files)
    entity = stored_entity("payments-api", {SOURCE: f"url:{github.url}/globex/payments"})
    cache = RepositoryCache(small_disk / "repos", _settings(github))

    ballast = fill(small_disk)
    result = cache.folder_for(entity)
    assert isinstance(result, RepoUnavailable), result
    assert "No space left on device" in result.reason
    assert str(small_disk / "repos") in result.reason  # where to free space
    assert not list((small_disk / "repos").rglob("mkdocs.yml"))  # no half clone

    ballast.unlink()
    folder = cache.folder_for(entity)
    assert isinstance(folder, RepoFolder), folder
    assert (folder.repo_root / "services" / "api" / "mkdocs.yml").is_file()
