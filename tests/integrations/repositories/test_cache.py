"""The repository cache: entities' folders from shallow clones served by the loopback GitHub
over smart HTTP (private repositories, so the host token is really needed)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.loopback.github_api import FakeGitHub
from integrations.repositories import (
    RepoFolder,
    RepositoriesSettings,
    RepositoryCache,
    RepositoryCacheSettings,
    RepositoryHostSettings,
    RepoUnavailable,
)

from .conftest import GITHUB_TOKEN, stored_entity

REPO_ROOT = Path(__file__).resolve().parents[3]
SLUG = "github.com/project-slug"
SOURCE = "backstage.io/source-location"


class Clock:
    """A settable clock for refresh ages and least-recently-used order."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _settings(
    github: FakeGitHub, *, token: str | None = GITHUB_TOKEN, **cache: object
) -> RepositoriesSettings:
    host = RepositoryHostSettings(
        url=github.url,
        type="github",
        token_env="GREENROOM_GITHUB_READ_TOKEN",
        token=SecretStr(token) if token else None,
    )
    return RepositoriesSettings(
        hosts=[host], cache=RepositoryCacheSettings.model_validate({"refresh_minutes": 30} | cache)
    )


def _clones(github: FakeGitHub) -> int:
    return sum(1 for service, _, _ in github.git_requests if service == "git-upload-pack")


def _folder(result: RepoFolder | RepoUnavailable) -> RepoFolder:
    assert isinstance(result, RepoFolder), result
    return result


def test_first_use_clones_and_returns_the_entity_folder(github: FakeGitHub, tmp_path: Path) -> None:
    sha = github.seed_repository(
        "globex/payments", {"services/api/mkdocs.yml": "site_name: api\n", "README.md": "hi\n"}
    )
    url = f"url:{github.url}/globex/payments/tree/main/services/api"
    cache = RepositoryCache(tmp_path / "repos", _settings(github))

    folder = _folder(cache.folder_for(stored_entity("payments-api", {SOURCE: url})))

    assert (folder.path / "mkdocs.yml").read_text() == "site_name: api\n"
    assert (folder.repo_root / "README.md").is_file()
    assert folder.path == folder.repo_root / "services" / "api"
    assert folder.origin == "cache" and folder.commit == sha
    assert folder.web_url == f"{github.url}/globex/payments"
    assert folder.repo_root.parent == (tmp_path / "repos").resolve()


def test_a_fresh_clone_is_reused_without_asking_the_host(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.seed_repository("globex/payments", {"README.md": "hi\n"})
    cache = RepositoryCache(tmp_path / "repos", _settings(github))
    entity = stored_entity("payments-api", {SLUG: "globex/payments"})
    cache.folder_for(entity)
    requests = len(github.git_requests)

    _folder(cache.folder_for(entity))

    assert len(github.git_requests) == requests


def test_an_old_clone_is_refreshed_and_shows_the_new_commit(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.seed_repository("globex/payments", {"README.md": "v1\n"})
    clock = Clock()
    cache = RepositoryCache(tmp_path / "repos", _settings(github), clock=clock)
    entity = stored_entity("payments-api", {SLUG: "globex/payments"})
    first = _folder(cache.folder_for(entity))
    new = github.commit("globex/payments", {"README.md": "v2\n", "docs/index.md": "# new\n"})

    clock.now += 29 * 60
    assert _folder(cache.folder_for(entity)).commit == first.commit  # still fresh enough
    clock.now += 2 * 60
    refreshed = _folder(cache.folder_for(entity))

    assert refreshed.commit == new
    assert (refreshed.path / "README.md").read_text() == "v2\n"
    assert (refreshed.path / "docs" / "index.md").read_text() == "# new\n"
    assert refreshed.path == first.path


def test_refresh_removes_deleted_and_stray_files(github: FakeGitHub, tmp_path: Path) -> None:
    github.seed_repository("globex/payments", {"README.md": "v1\n", "old.txt": "x\n"})
    cache = RepositoryCache(tmp_path / "repos", _settings(github))
    entity = stored_entity("payments-api", {SLUG: "globex/payments"})
    first = _folder(cache.folder_for(entity))
    (first.path / "stray.txt").write_text("left by a build\n")
    bare = str(github.bare_repo("globex/payments"))
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", bare, str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "rm", "-q", "old.txt"], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(work),
            "-c",
            "user.name=a",
            "-c",
            "user.email=a@b",
            "commit",
            "-qm",
            "rm",
        ],
        check=True,
    )
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "HEAD:main"], check=True)

    refreshed = _folder(cache.folder_for(entity, max_age=0))

    assert sorted(p.name for p in refreshed.path.iterdir() if p.name != ".git") == ["README.md"]


def test_entities_of_one_repository_share_one_clone(github: FakeGitHub, tmp_path: Path) -> None:
    github.seed_repository(
        "globex/monorepo", {"services/a/README.md": "a\n", "services/b/README.md": "b\n"}
    )
    base = f"url:{github.url}/globex/monorepo/tree/main/services"
    entities = [stored_entity(n, {SOURCE: f"{base}/{n}"}) for n in ("a", "b")]
    cache = RepositoryCache(tmp_path / "repos", _settings(github))

    results = cache.folders_for(entities)

    assert [(_folder(r).path / "README.md").read_text() for r in results.values()] == ["a\n", "b\n"]
    assert len(cache.entries()) == 1


def test_least_recently_used_clones_are_evicted_over_the_size_bound(
    github: FakeGitHub, tmp_path: Path
) -> None:
    for name in ("one", "two", "three"):
        github.seed_repository(f"globex/{name}", {"blob.bin": os.urandom(100_000).hex()})
    clock = Clock()
    cache = RepositoryCache(tmp_path / "repos", _settings(github, max_megabytes=0.7), clock=clock)
    one, two, three = (stored_entity(n, {SLUG: f"globex/{n}"}) for n in ("one", "two", "three"))

    for entity in (one, two, one):  # "one" used again after "two"
        _folder(cache.folder_for(entity))
        clock.now += 1
    third = _folder(cache.folder_for(three))

    urls = [e.web_url for e in cache.entries()]
    assert urls == [f"{github.url}/globex/one", f"{github.url}/globex/three"]
    assert sum(e.bytes for e in cache.entries()) <= 0.7 * 1024 * 1024
    assert (third.path / "blob.bin").is_file()
    assert len(list((tmp_path / "repos").glob("*two*"))) == 0


def test_a_clone_being_read_is_not_evicted(github: FakeGitHub, tmp_path: Path) -> None:
    for name in ("one", "two"):
        github.seed_repository(f"globex/{name}", {"blob.bin": os.urandom(150_000).hex()[:150_000]})
    cache = RepositoryCache(tmp_path / "repos", _settings(github, max_megabytes=0.2))
    one, two = (stored_entity(n, {SLUG: f"globex/{n}"}) for n in ("one", "two"))

    with cache.reading(one) as reading:
        _folder(cache.folder_for(two))
        assert (_folder(reading).path / "blob.bin").is_file()

    assert len(cache.entries()) == 2  # over the bound, but "one" was in use
    _folder(cache.folder_for(two, max_age=0))
    assert [e.web_url for e in cache.entries()] == [f"{github.url}/globex/two"]


def test_an_unreachable_host_is_reported_per_entity(github: FakeGitHub, tmp_path: Path) -> None:
    github.seed_repository("globex/payments", {"README.md": "hi\n"})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings = _settings(github)
    hosts = [*settings.hosts, RepositoryHostSettings(url=closed)]
    cache = RepositoryCache(tmp_path / "repos", settings.model_copy(update={"hosts": hosts}))
    down = stored_entity("legacy", {SOURCE: f"url:{closed}/globex/legacy/tree/main/"})
    fine = stored_entity("payments-api", {SLUG: "globex/payments"})

    results = cache.folders_for([down, fine])

    unavailable = results[down.ref]
    assert isinstance(unavailable, RepoUnavailable)
    assert unavailable.reason.startswith(f"Could not clone {closed}/globex/legacy:")
    assert "connect" in unavailable.reason.lower()
    assert unavailable.web_url == f"{closed}/globex/legacy"
    assert (_folder(results[fine.ref]).path / "README.md").is_file()


def test_hosts_that_are_not_configured_are_never_contacted(
    github: FakeGitHub, tmp_path: Path
) -> None:
    cache = RepositoryCache(tmp_path / "repos", _settings(github))
    elsewhere = stored_entity("x", {SOURCE: "url:https://evil.example.com/org/repo/tree/main/"})
    on_server = stored_entity("y", {SOURCE: "dir:/srv/backstage/catalog/y"})
    nothing = stored_entity("z")

    results = cache.folders_for([elsewhere, on_server, nothing])

    reasons = [r.reason for r in results.values() if isinstance(r, RepoUnavailable)]
    assert "https://evil.example.com is not listed in repositories.hosts" in reasons[0]
    assert "not a repository URL" in reasons[1]
    assert "has no backstage.io/source-location" in reasons[2]
    assert cache.entries() == [] and github.git_requests == []


def test_a_private_repository_without_the_host_token_names_the_setting(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.seed_repository("globex/payments", {"README.md": "hi\n"})
    cache = RepositoryCache(tmp_path / "repos", _settings(github, token=None))

    result = cache.folder_for(stored_entity("payments-api", {SLUG: "globex/payments"}))

    assert isinstance(result, RepoUnavailable)
    assert "Authentication failed" in result.reason
    assert f"token_env of host {github.url}" in result.reason


def test_public_repositories_need_no_token(github: FakeGitHub, tmp_path: Path) -> None:
    github.seed_repository("globex/open", {"README.md": "hi\n"}, private=False)
    cache = RepositoryCache(tmp_path / "repos", _settings(github, token=None))

    _folder(cache.folder_for(stored_entity("open", {SLUG: "globex/open"})))


def test_entities_from_directory_sources_use_their_local_folder(
    github: FakeGitHub, tmp_path: Path
) -> None:
    repo = tmp_path / "checkout"
    (repo / "services" / "api").mkdir(parents=True)
    entity = stored_entity(
        "payments-api",
        {SLUG: "globex/payments"},
        entity_dir=repo / "services" / "api",
        repo_dir=repo,
    )
    cache = RepositoryCache(tmp_path / "repos", _settings(github))

    folder = _folder(cache.folder_for(entity))

    assert (folder.path, folder.repo_root, folder.origin) == (
        repo / "services" / "api",
        repo,
        "local",
    )
    assert github.git_requests == [] and not (tmp_path / "repos").exists()


@pytest.mark.parametrize("path", ["missing", "../../..", "escape"])
def test_a_folder_outside_or_missing_from_the_repository_is_refused(
    github: FakeGitHub, tmp_path: Path, path: str
) -> None:
    github.seed_repository("globex/payments", {"README.md": "hi\n"})
    bare = str(github.bare_repo("globex/payments"))
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", bare, str(work)], check=True)
    (work / "escape").symlink_to("/etc")
    git_id = ["-c", "user.name=a", "-c", "user.email=a@b"]
    subprocess.run(["git", "-C", str(work), "add", "escape"], check=True)
    subprocess.run(["git", "-C", str(work), *git_id, "commit", "-qm", "link"], check=True)
    subprocess.run(["git", "-C", str(work), "push", "-q", "origin", "HEAD:main"], check=True)
    url = f"url:{github.url}/globex/payments/tree/main/{path}"
    cache = RepositoryCache(tmp_path / "repos", _settings(github))

    result = cache.folder_for(stored_entity("payments-api", {SOURCE: url}))

    assert isinstance(result, RepoUnavailable)
    assert "is not a folder of" in result.reason


def test_a_failed_refresh_keeps_the_last_files_with_a_warning(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.seed_repository("globex/payments", {"README.md": "hi\n"})
    cache = RepositoryCache(tmp_path / "repos", _settings(github))
    entity = stored_entity("payments-api", {SLUG: "globex/payments"})
    first = _folder(cache.folder_for(entity))
    github.tokens.clear()  # the token was revoked

    again = _folder(cache.folder_for(entity, max_age=0))

    assert again.commit == first.commit and (again.path / "README.md").is_file()
    assert again.warning is not None and "could not refresh" in again.warning


def test_folder_of_gives_the_path_or_none_for_resolver_seams(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.seed_repository("globex/payments", {"pyproject.toml": "[project]\n"})
    cache = RepositoryCache(tmp_path / "repos", _settings(github))

    found = cache.folder_of(stored_entity("payments-api", {SLUG: "globex/payments"}))
    missing = cache.folder_of(stored_entity("ghost", {SLUG: "globex/ghost"}))

    assert found is not None and (found / "pyproject.toml").is_file()
    assert missing is None


def test_folder_at_reads_a_url_location_in_another_repository(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.seed_repository("globex/handbook", {"payments/mkdocs.yml": "site_name: p\n"})
    cache = RepositoryCache(tmp_path / "repos", _settings(github))
    ref = stored_entity("payments-api").ref

    folder = _folder(cache.folder_at(ref, f"url:{github.url}/globex/handbook/tree/main/payments"))
    elsewhere = cache.folder_at(ref, "url:https://elsewhere.example/a/b")

    assert (folder.path / "mkdocs.yml").is_file() and folder.ref == ref
    assert isinstance(elsewhere, RepoUnavailable) and "not listed" in elsewhere.reason


CHILD = """
import json, sys
from pathlib import Path
from pydantic import SecretStr
from integrations.repositories import *
from tests.integrations.repositories.conftest import stored_entity
url, token, root = sys.argv[1:4]
host = RepositoryHostSettings(url=url, type="github", token_env="T", token=SecretStr(token))
cache = RepositoryCache(Path(root), RepositoriesSettings(hosts=[host]))
entity = stored_entity("payments-api", {"github.com/project-slug": "globex/payments"})
for _ in range(6):
    with cache.reading(entity, max_age=0) as folder:
        assert isinstance(folder, RepoFolder), folder
        print(json.dumps([folder.commit, (folder.path / "version.txt").read_text()]), flush=True)
"""


def test_two_processes_refreshing_one_repository_never_collide(
    github: FakeGitHub, tmp_path: Path
) -> None:
    versions = {github.seed_repository("globex/payments", {"version.txt": "0"}): "0"}
    args = [sys.executable, "-c", CHILD, github.url, GITHUB_TOKEN, str(tmp_path / "repos")]
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}
    children = [
        subprocess.Popen(
            args, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    first_line = children[0].stdout.readline() if children[0].stdout else b""
    for number in range(1, 4):
        versions[github.commit("globex/payments", {"version.txt": str(number)})] = str(number)
    outputs = [child.communicate(timeout=120) for child in children]

    for index, (child, (out, err)) in enumerate(zip(children, outputs, strict=True)):
        assert child.returncode == 0, err.decode()
        lines = ([first_line] if index == 0 else []) + out.splitlines()
        seen = [json.loads(line) for line in lines]
        assert len(seen) == 6
        assert all(versions[commit] == text for commit, text in seen)  # files match the commit
