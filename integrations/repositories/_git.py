"""The git CLI, run with credentials in the environment (``GIT_CONFIG_COUNT`` pairs that set
``http.<host>.extraHeader``): never in argv, a remote URL, ``.git/config`` or a message.
The user's own git configuration and hooks are ignored, so runs are the same everywhere."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

from integrations.repositories.base import CommitAuthor


class GitFailed(RuntimeError):
    """A git command failed; ``reason`` is git's own last words, with no secret in them."""

    def __init__(self, command: str, reason: str) -> None:
        self.command = command
        self.reason = reason
        super().__init__(f"git {command} failed: {reason}")


@dataclass(frozen=True, slots=True)
class GitCredential:
    """HTTP basic credentials git sends to every URL under ``url``."""

    url: str
    username: str
    token: SecretStr = field(repr=False)

    @property
    def header(self) -> str:
        raw = f"{self.username}:{self.token.get_secret_value()}".encode()
        return f"Authorization: Basic {base64.b64encode(raw).decode()}"


def web_root(url: str) -> str:
    """``scheme://host[:port]`` of a URL: the scope git credentials apply to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


class GitRunner:
    """Runs git with a clean environment, the given credentials and a timeout."""

    def __init__(
        self,
        *,
        home: Path,
        credentials: Sequence[GitCredential] = (),
        timeout: float = 120.0,
        protocols: str = "http:https",
    ) -> None:
        self.home = home
        self.timeout = timeout
        self._credentials = tuple(credentials)
        self._protocols = protocols

    def with_credentials(self, credentials: Sequence[GitCredential]) -> GitRunner:
        """The same runner, sending these credentials too."""
        return GitRunner(
            home=self.home,
            credentials=(*self._credentials, *credentials),
            timeout=self.timeout,
            protocols=self._protocols,
        )

    def __repr__(self) -> str:
        return f"GitRunner(home={self.home}, hosts={[c.url for c in self._credentials]})"

    def run(self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> str:
        """git's stdout; raises GitFailed with a cleaned-up reason."""
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=cwd,
                env=self._environment() | dict(env or {}),
                capture_output=True,
                timeout=self.timeout,
                text=True,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitFailed(args[0], f"no answer within {self.timeout:.0f}s") from None
        if done.returncode != 0:
            raise GitFailed(
                args[0], self.redact(_reason(done.stderr or done.stdout, done.returncode))
            )
        return done.stdout

    def redact(self, text: str) -> str:
        """``text`` with every token (and its header form) blanked out."""
        for credential in self._credentials:
            secret = credential.token.get_secret_value()
            if secret:
                text = text.replace(credential.header, "Authorization: ***")
                text = text.replace(secret, "***")
        return text

    def _environment(self) -> dict[str, str]:
        config = [("core.hooksPath", os.devnull), ("credential.helper", "")]
        config += [(f"http.{c.url}/.extraHeader", c.header) for c in self._credentials]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "true",
            "GIT_ALLOW_PROTOCOL": self._protocols,
            "GIT_CONFIG_COUNT": str(len(config)),
        }
        for index, (key, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{index}"] = key
            env[f"GIT_CONFIG_VALUE_{index}"] = value
        return env


def commit_folder(
    git: GitRunner, source_dir: Path, git_dir: Path, *, author: CommitAuthor, branch: str
) -> None:
    """One commit of everything in ``source_dir`` on ``branch``, kept in ``git_dir`` so the
    folder itself is left untouched."""
    identity = {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }
    git.run("init", "-q", "--bare", f"--initial-branch={branch}", str(git_dir))
    tree = ("--git-dir", str(git_dir), "--work-tree", str(source_dir))
    git.run(*tree, "add", "--all", ".", cwd=source_dir)
    git.run(*tree, "commit", "-q", "--no-verify", "-m", "Initial commit", env=identity)


def push_branch(git: GitRunner, git_dir: Path, url: str, branch: str) -> None:
    """Push ``branch`` of ``git_dir`` to ``url``; GitFailed says why the remote refused."""
    git.run("--git-dir", str(git_dir), "push", url, f"{branch}:refs/heads/{branch}")


def _reason(output: str, code: int) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    remote = [ln.removeprefix("remote:").strip() for ln in lines if ln.startswith("remote:")]
    remote = [ln for ln in remote if ln]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:", "!"))]
    picked = remote[-3:] + fatal[-2:] or lines[-1:]
    return " / ".join(picked)[:500] or f"git exited with {code}"
