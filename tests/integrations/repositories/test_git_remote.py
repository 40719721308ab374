"""Publishing to a plain git remote: local bare repositories, and HTTPS with a token on a
loopback git server. Failures leave nothing half-made and never show the token."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.loopback.github_api import FakeGitHub
from integrations.errors import PublishFailed, RepositoryExists
from integrations.repositories import CommitAuthor, GitRemotePublisher, RepositoryRequest
from integrations.scaffolder import ScaffolderSettings

TOKEN = "ghp_s3cretTokenValue123"

ADA = CommitAuthor("Ada Lovelace", "ada.lovelace@globex.example")


def project(tmp_path: Path) -> Path:
    source = tmp_path / "project"
    (source / "src").mkdir(parents=True)
    (source / "README.md").write_text("# ledger\n")
    (source / "src" / "app.py").write_text("print('hi')\n")
    (source / ".gitignore").write_text("*.log\n")
    (source / "debug.log").write_text("ignored\n")
    return source


@pytest.fixture
def host(tmp_path: Path) -> Iterator[FakeGitHub]:
    """A git host on loopback speaking smart HTTP (the real git http-backend) that checks
    the token sent as HTTP Basic password, as GitHub and GitLab do."""
    with FakeGitHub(tmp_path / "host", tokens={TOKEN: "greenroom-bot"}) as fake:
        yield fake


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def test_publishing_creates_a_bare_repository_with_one_commit_by_the_caller(
    tmp_path: Path,
) -> None:
    publisher = GitRemotePublisher(f"file://{tmp_path}/git/{{name}}.git")
    published = publisher.publish(
        project(tmp_path), RepositoryRequest("ledger", "Keeps the books."), ADA
    )
    bare = tmp_path / "git" / "ledger.git"
    assert published.clone_url == published.web_url == f"file://{bare}"
    log = git("--git-dir", str(bare), "log", "--format=%an <%ae>|%cn|%s", "main")
    assert log.strip() == "Ada Lovelace <ada.lovelace@globex.example>|Ada Lovelace|Create ledger"
    files = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "main").split()
    assert files == [".gitignore", "README.md", "src/app.py"]
    assert (bare / "description").read_text() == "Keeps the books.\n"
    assert not (tmp_path / "project" / ".git").exists()
    assert publisher.exists("ledger")


def test_an_existing_repository_is_refused_and_left_alone(tmp_path: Path) -> None:
    publisher = GitRemotePublisher(f"file://{tmp_path}/git/{{name}}.git")
    publisher.publish(project(tmp_path), RepositoryRequest("ledger"), ADA)
    before = git("--git-dir", str(tmp_path / "git" / "ledger.git"), "rev-parse", "main")
    with pytest.raises(RepositoryExists, match="A repository named ledger already exists"):
        publisher.publish(project(tmp_path / "again"), RepositoryRequest("ledger"), ADA)
    assert git("--git-dir", str(tmp_path / "git" / "ledger.git"), "rev-parse", "main") == before


def test_a_failure_after_creating_the_repository_removes_it(tmp_path: Path) -> None:
    publisher = GitRemotePublisher(f"file://{tmp_path}/git/{{name}}.git")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PublishFailed, match="git commit failed"):
        publisher.publish(empty, RepositoryRequest("ledger"), ADA)
    assert not (tmp_path / "git" / "ledger.git").exists()
    assert not publisher.exists("ledger")


def rejecting_repository(path: Path) -> Path:
    """An empty repository prepared by an admin, whose policy refuses the push."""
    git("init", "-q", "--bare", str(path))
    hook = path / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'policy: new repositories need a CODEOWNERS file' >&2\nexit 1\n"
    )
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    return path


def test_a_rejected_push_says_why_and_pushes_nothing(tmp_path: Path) -> None:
    bare = rejecting_repository(tmp_path / "git" / "ledger.git")
    publisher = GitRemotePublisher(f"file://{tmp_path}/git/{{name}}.git")
    assert not publisher.exists("ledger")
    with pytest.raises(PublishFailed) as raised:
        publisher.publish(project(tmp_path), RepositoryRequest("ledger"), ADA)
    assert raised.value.user_message.startswith(
        f"The git server refused the push to file://{bare}: pre-receive hook declined; "
        "policy: new repositories need a CODEOWNERS file"
    )
    assert git("--git-dir", str(bare), "for-each-ref") == ""


def test_names_that_are_not_plain_are_refused_before_any_git_call(tmp_path: Path) -> None:
    publisher = GitRemotePublisher(f"file://{tmp_path}/git/{{name}}.git")
    source = project(tmp_path)
    for name in ("../etc", "a/b", "..", "-x"):
        with pytest.raises(PublishFailed, match="cannot be a repository name"):
            publisher.publish(source, RepositoryRequest(name), ADA)
    assert not (tmp_path / "git").exists()


def test_https_pushes_carry_the_token_in_a_header_not_the_url(
    tmp_path: Path, host: FakeGitHub
) -> None:
    host.create_bare("globex/ledger")
    publisher = GitRemotePublisher(f"{host.url}/globex/{{name}}.git", token=TOKEN)
    assert not publisher.exists("ledger")
    published = publisher.publish(project(tmp_path), RepositoryRequest("ledger"), ADA)
    assert published.clone_url == f"{host.url}/globex/ledger.git"
    assert host.log("globex/ledger") == [
        "Ada Lovelace <ada.lovelace@globex.example> | Create ledger"
    ]
    assert publisher.exists("ledger")
    pushes = [r for r in host.git_requests if r[0] == "git-receive-pack"]
    assert pushes and all(user == "greenroom-bot" for _, _, user in host.git_requests)


def test_a_missing_repository_on_the_server_does_not_exist(host: FakeGitHub) -> None:
    publisher = GitRemotePublisher(f"{host.url}/globex/{{name}}.git", token=TOKEN)
    assert not publisher.exists("nothing-here")


def test_a_push_the_host_refuses_is_explained(tmp_path: Path, host: FakeGitHub) -> None:
    host.reject_pushes = True
    host.create_bare("globex/ledger")
    publisher = GitRemotePublisher(f"{host.url}/globex/{{name}}.git", token=TOKEN)
    with pytest.raises(PublishFailed) as raised:
        publisher.publish(project(tmp_path), RepositoryRequest("ledger"), ADA)
    assert "pre-receive hook declined; push declined by repository policy" in (
        raised.value.user_message
    )
    assert TOKEN not in raised.value.user_message


def test_a_wrong_token_is_reported_without_showing_any_token(
    tmp_path: Path, host: FakeGitHub
) -> None:
    host.create_bare("globex/ledger")
    wrong = "ghp_wrongTokenValue999"
    publisher = GitRemotePublisher(f"{host.url}/globex/{{name}}.git", token=wrong)
    with pytest.raises(PublishFailed) as raised:
        publisher.publish(project(tmp_path), RepositoryRequest("ledger"), ADA)
    message = raised.value.user_message
    assert message == (
        f"Could not check whether {host.url}/globex/ledger.git exists: the server refused our "
        "credentials (check the token in scaffolder.token_env)"
    )


def test_settings_refuse_a_token_written_into_the_url() -> None:
    with pytest.raises(ValueError, match="use token_env instead"):
        ScaffolderSettings(remote_url_template="https://x-access-token:abc@git.example/{name}.git")
    with pytest.raises(ValueError, match="must contain \\{name\\}"):
        ScaffolderSettings(remote_url_template="https://git.example/repo.git")
