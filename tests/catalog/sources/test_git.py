from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import Catalog
from catalog.sources import GitSource, redact_url
from catalog.sync import sync_catalog


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),
        },
    )


COMPONENT = textwrap.dedent(
    """\
    apiVersion: backstage.io/v1alpha1
    kind: Component
    metadata: {name: %s}
    spec: {type: service, lifecycle: production, owner: team-a}
    """
)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository with one service, like a company's catalog repo."""
    work = tmp_path / "work"
    (work / "svc").mkdir(parents=True)
    (work / "svc/catalog-info.yaml").write_text(COMPONENT % "svc")
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    bare = tmp_path / "remote.git"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp_path)
    git("remote", "add", "origin", str(bare), cwd=work)
    return bare


def push_change(remote: Path, tmp_path: Path, name: str) -> None:
    work = tmp_path / "work"
    (work / name).mkdir()
    (work / name / "catalog-info.yaml").write_text(COMPONENT % name)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", f"add {name}", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)


def test_clones_then_refreshes(
    engine: Engine, catalog: Catalog, remote: Path, tmp_path: Path
) -> None:
    source = GitSource("git", str(remote), cache_dir=tmp_path / "cache", branch="main")
    report = sync_catalog(engine, [source])
    assert report.sources[0].added == ["component:default/svc"]
    stored = catalog.get("component:svc")
    assert stored is not None and stored.repo_dir == str(source.checkout.resolve())
    assert (source.checkout / ".git" / "shallow").exists()
    push_change(remote, tmp_path, "second")
    report = sync_catalog(engine, [source])
    assert report.sources[0].added == ["component:default/second"]
    assert report.sources[0].unchanged == 1


def test_reads_a_location_file_inside_the_repo(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    (work / "all.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: all}\n"
        "spec: {targets: [./services.yaml]}\n"
    )
    (work / "services.yaml").write_text(COMPONENT % "from-location")
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    source = GitSource("git", str(work), cache_dir=tmp_path / "cache", location="all.yaml")
    sync_catalog(engine, [source])
    assert catalog.get("component:from-location") is not None


def test_an_unreachable_repository_keeps_the_catalog_and_hides_credentials(
    engine: Engine, catalog: Catalog, remote: Path, tmp_path: Path
) -> None:
    sync_catalog(engine, [GitSource("git", str(remote), cache_dir=tmp_path / "cache")])
    gone = GitSource(
        "git",
        "https://user:hunter2@127.0.0.1:9/acme/catalog.git",
        cache_dir=tmp_path / "cache2",
        timeout=20,
    )
    report = sync_catalog(engine, [gone])
    error = report.sources[0].error or ""
    assert report.sources[0].status == "unavailable"
    assert "git clone of https://127.0.0.1:9/acme/catalog.git failed" in error
    assert "hunter2" not in error
    assert catalog.get("component:svc") is not None


def test_a_deleted_remote_keeps_the_entities(
    engine: Engine, catalog: Catalog, remote: Path, tmp_path: Path
) -> None:
    source = GitSource("git", str(remote), cache_dir=tmp_path / "cache")
    sync_catalog(engine, [source])
    remote.rename(tmp_path / "elsewhere.git")
    report = sync_catalog(engine, [source])
    assert report.sources[0].status == "unavailable"
    assert catalog.get("component:svc") is not None


def test_redact_url_removes_userinfo_only() -> None:
    assert redact_url("https://x:tok@github.com:8443/a.git") == "https://github.com:8443/a.git"
    assert redact_url("git@github.com:acme/a.git") == "git@github.com:acme/a.git"


def test_a_branch_force_pushed_empty_is_held_not_emptied(
    engine: Engine, catalog: Catalog, remote: Path, tmp_path: Path
) -> None:
    for i in range(12):
        push_change(remote, tmp_path, f"svc-{i:02d}")
    source = GitSource("git", str(remote), cache_dir=tmp_path / "cache", branch="main")
    assert len(sync_catalog(engine, [source]).sources[0].added) == 13
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("moved elsewhere\n")
    git("init", "-q", "-b", "main", cwd=empty)
    git("add", ".", cwd=empty)
    git("commit", "-q", "-m", "start over", cwd=empty)
    git("push", "-q", "--force", str(remote), "main", cwd=empty)
    report = sync_catalog(engine, [source])
    assert report.sources[0].status == "held"
    assert report.sources[0].hold is not None and report.sources[0].hold.removing == 13
    assert len(list(catalog.entities())) == 13
