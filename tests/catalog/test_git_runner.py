"""The one git runner: every caller (catalog git sources, the clone cache, publishing) gets the
same hardening, whatever the server's own environment and configuration say."""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import SecretStr

from catalog import SourceUnavailable
from catalog.git_runner import GitCredential, GitFailed, GitRunner
from catalog.sources import GitSource
from catalog.sources.file_reader import FileReader
from catalog.yaml_reader import YamlLimits

TOKEN = SecretStr("ghp_" + "s3cret" * 6)


def _repo(path: Path, files: dict[str, str]) -> Path:
    """A local repository with one commit of ``files``."""
    path.mkdir(parents=True)
    run = {"cwd": path, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "main"], **run)  # type: ignore[call-overload]
    for name, text in files.items():
        (path / name).write_text(text)
    subprocess.run(["git", "add", "."], **run)  # type: ignore[call-overload]
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", *identity, "commit", "-q", "-m", "one"], **run)  # type: ignore[call-overload]
    return path


def test_the_servers_own_git_configuration_and_hooks_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A global config (from the environment the server runs in) that installs a hook and
    rewrites URLs must change nothing: the catalog clone used to miss this hardening."""
    marker = tmp_path / "hook-ran"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    hook = hooks / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    evil = tmp_path / "evil.gitconfig"
    evil.write_text(f'[core]\n\thooksPath = {hooks}\n[url "file:///nowhere/"]\n\tinsteadOf = /\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(evil))
    monkeypatch.setenv("GIT_CONFIG_SYSTEM", str(evil))
    origin = _repo(tmp_path / "origin", {"catalog-info.yaml": "kind: Component\n"})
    source = GitSource("repos", str(origin), cache_dir=tmp_path / "cache")
    checkout = source.refresh()
    assert (checkout / "catalog-info.yaml").is_file()
    assert not marker.exists(), "a hook from the server's git configuration ran"


def test_a_command_running_transport_is_refused(tmp_path: Path) -> None:
    """``ext::`` runs a command as the transport: a source URL must never be able to."""
    marker = tmp_path / "pwned"
    source = GitSource(
        "repos", f"ext::sh -c touch% {marker}", cache_dir=tmp_path / "cache", timeout=20
    )
    with pytest.raises(SourceUnavailable) as refused:
        source.refresh()
    assert not marker.exists()
    assert "repos" in refused.value.user_message


class _Recorder(BaseHTTPRequestHandler):
    """A git host that records the Authorization header of every request and has no repo."""

    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Authorization"))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("scoped_to_it", [False, True])
def test_a_credential_goes_only_to_its_own_host(tmp_path: Path, scoped_to_it: bool) -> None:
    """A token for one host is never sent to another (a URL-scoped header, not a global one);
    the host it belongs to does get it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.seen = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        owner = url if scoped_to_it else "https://git.example.com"
        credential = GitCredential.basic(owner, "x", TOKEN)
        runner = GitRunner(home=tmp_path / "home", credentials=[credential], timeout=20)
        with pytest.raises(GitFailed):
            runner.run("ls-remote", f"{url}/globex/payments-api.git")
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.seen, "git never asked the host"
    sent = [header for header in _Recorder.seen if header]
    assert bool(sent) is scoped_to_it


def test_failures_never_show_the_token(tmp_path: Path) -> None:
    """git may echo headers and URLs in its errors: the reason keeps neither secret."""
    runner = GitRunner(
        home=tmp_path / "home",
        credentials=[GitCredential.basic("https://git.example.com", "x", TOKEN)],
        timeout=10,
    )
    with pytest.raises(GitFailed) as failed:
        runner.run("ls-remote", f"file://{tmp_path}/missing.git")
    shown = f"{failed.value} {failed.value.reason} {failed.value.output} {runner!r}"
    assert TOKEN.get_secret_value() not in shown
    environment = runner.environment()
    assert TOKEN.get_secret_value() not in " ".join(environment)  # keys, not values
    assert "file" not in environment["GIT_ALLOW_PROTOCOL"].split(":")


def test_the_git_source_reads_a_repository_through_the_runner(tmp_path: Path) -> None:
    """Honest use keeps working: a local repository read as a catalog source."""
    origin = _repo(tmp_path / "origin", {"catalog-info.yaml": "kind: Component\n"})
    source = GitSource("repos", f"file://{origin}", cache_dir=tmp_path / "cache")
    scanned = list(source.scan(FileReader({}, YamlLimits())))
    assert [Path(f.path).name for f in scanned] == ["catalog-info.yaml"]
