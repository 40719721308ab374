"""Publishing to a plain git remote built from a URL template (``file:///srv/git/{name}.git``,
``git@host:org/{name}.git``, ``https://host/org/{name}.git``) with the git CLI.

A ``file://`` remote is created here (a bare repository) and removed again when anything
after that fails. Other remotes must accept a push to a new or empty repository (push to
create). Either way a repository "exists" once it has branches: an empty one that an admin
prepared (with its server-side hooks) is used, and left as it was if the push fails.

An HTTPS token travels in an ``http.extraHeader`` set through the environment of
the git process: never in a URL, an argument, a log line or an error message.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from integrations.errors import PublishFailed, RepositoryExists
from integrations.repositories.base import CommitAuthor, PublishedRepository, RepositoryRequest

__all__ = ["GitRemotePublisher"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_NOT_FOUND = (
    "not found",
    "does not appear to be a git repository",
    "does not exist",
    "no such file or directory",
)
_AUTH_FAILED = (
    "could not read username",
    "authentication failed",
    "returned error: 401",
    "returned error: 403",
    "permission denied",
)
_UNSAFE_IDENTITY = re.compile(r"[<>\n\r\x00]")


class GitRemotePublisher:
    """Creates repositories on a plain git remote; see the module docstring."""

    def __init__(
        self,
        url_template: str,
        *,
        web_url_template: str | None = None,
        token: str | None = None,
        token_username: str = "x-access-token",  # noqa: S107 - a user name, not a secret
        timeout: float = 60.0,
    ) -> None:
        if "{name}" not in url_template:
            raise ValueError("url_template must contain {name}")
        self.url_template = url_template
        self.web_url_template = web_url_template
        self.timeout = timeout
        self._token = token
        self._auth = None
        if token:
            pair = base64.b64encode(f"{token_username}:{token}".encode()).decode()
            self._auth = f"Authorization: Basic {pair}"

    def clone_url(self, name: str) -> str:
        """The git URL of the repository called ``name``."""
        _check_name(name)
        return self.url_template.replace("{name}", name)

    def exists(self, name: str) -> bool:
        url = self.clone_url(name)
        local = _local_path(url)
        if local is not None and not local.exists():
            return False
        with tempfile.TemporaryDirectory(prefix="greenroom-git-") as home:
            result = self._run(["ls-remote", "--heads", url], home=Path(home), check=False)
        if result.returncode == 0:
            return bool(result.stdout.strip())
        if local is not None:
            return True  # something that is not a repository holds the path
        reason = self._reason(result.stderr, url)
        if any(marker in reason.lower() for marker in _NOT_FOUND):
            return False
        raise PublishFailed(f"Could not check whether {url} exists: {reason}")

    def publish(
        self, source_dir: Path, request: RepositoryRequest, author: CommitAuthor
    ) -> PublishedRepository:
        url = self.clone_url(request.name)
        if self.exists(request.name):
            raise RepositoryExists(f"A repository named {request.name} already exists at {url}.")
        created = self._create_local(url, request)
        try:
            with tempfile.TemporaryDirectory(prefix="greenroom-git-") as tmp:
                self._commit_and_push(Path(tmp), source_dir, url, request, author)
        except BaseException:
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)
            raise
        web_url = url
        if self.web_url_template:
            web_url = self.web_url_template.replace("{name}", request.name)
        return PublishedRepository(web_url=web_url, clone_url=url)

    def _create_local(self, url: str, request: RepositoryRequest) -> Path | None:
        local = _local_path(url)
        if local is None or local.exists():
            return None  # a remote, or an empty repository made ready for us: not ours to remove
        try:
            local.parent.mkdir(parents=True, exist_ok=True)
            local.mkdir()
        except FileExistsError:
            raise RepositoryExists(f"A repository named {request.name} already exists.") from None
        except OSError as error:
            raise PublishFailed(
                f"Cannot create the repository at {url}: {error.strerror}"
            ) from None
        try:
            with tempfile.TemporaryDirectory(prefix="greenroom-git-") as home:
                branch = f"--initial-branch={request.default_branch}"
                self._run(["init", "--bare", "-q", branch, str(local)], home=Path(home))
                if request.description:
                    (local / "description").write_text(request.description + "\n")
        except BaseException:
            shutil.rmtree(local, ignore_errors=True)
            raise
        return local

    def _commit_and_push(
        self,
        tmp: Path,
        source_dir: Path,
        url: str,
        request: RepositoryRequest,
        author: CommitAuthor,
    ) -> None:
        name = _UNSAFE_IDENTITY.sub("", author.name).strip() or author.email
        email = _UNSAFE_IDENTITY.sub("", author.email).strip()
        identity = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_DIR": str(tmp / "repo.git"),
            "GIT_WORK_TREE": str(source_dir),
        }
        home = tmp / "home"
        home.mkdir()
        branch = request.default_branch
        self._run(["init", "-q", f"--initial-branch={branch}"], home=home, extra=identity)
        self._run(["add", "--all", "."], home=home, extra=identity, cwd=source_dir)
        message = f"Create {request.name}\n\n{request.description}".strip()
        self._run(["commit", "-q", "--no-verify", "-m", message], home=home, extra=identity)
        self._run(
            ["push", "--quiet", "--porcelain", url, f"HEAD:refs/heads/{branch}"],
            home=home,
            extra=identity,
            what="push",
        )

    def _run(
        self,
        args: list[str],
        *,
        home: Path,
        extra: dict[str, str] | None = None,
        cwd: Path | None = None,
        check: bool = True,
        what: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_COUNT": "3",
            "GIT_CONFIG_KEY_0": "commit.gpgsign",
            "GIT_CONFIG_VALUE_0": "false",
            "GIT_CONFIG_KEY_1": "core.hooksPath",
            "GIT_CONFIG_VALUE_1": os.devnull,
            "GIT_CONFIG_KEY_2": "protocol.file.allow",
            "GIT_CONFIG_VALUE_2": "always",
        }
        for passthrough in ("SSH_AUTH_SOCK", "GIT_SSH_COMMAND"):
            if passthrough in os.environ:
                env[passthrough] = os.environ[passthrough]
        if self._auth:
            env |= {
                "GIT_CONFIG_COUNT": "4",
                "GIT_CONFIG_KEY_3": "http.extraHeader",
                "GIT_CONFIG_VALUE_3": self._auth,
            }
        env |= extra or {}
        url = next((a for a in args if "://" in a or a.startswith("git@")), "")
        try:
            result = subprocess.run(
                ["git", *args],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            where = f" with {url}" if url else ""
            raise PublishFailed(
                f"git {args[0]}{where} did not finish within {self.timeout:.0f} s."
            ) from None
        if check and result.returncode != 0:
            reason = self._reason(result.stderr + result.stdout, url)
            if what == "push":
                raise PublishFailed(f"The git server refused the push to {url}: {reason}")
            raise PublishFailed(f"git {args[0]} failed: {reason}")
        return result

    def _reason(self, output: str, url: str) -> str:
        """The lines of git's output that say why, with anything secret removed."""
        lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
        remote = [ln.removeprefix("remote:").strip() for ln in lines if ln.startswith("remote:")]
        rejected = [ln for ln in lines if "[remote rejected]" in ln or "[rejected]" in ln]
        errors = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
        picked = [
            *(r.split("(", 1)[-1].rstrip(")") for r in rejected),
            *[r for r in remote if r],
            *errors,
        ]
        text = "; ".join(dict.fromkeys(picked or lines[-2:])) or "no reason given"
        if any(marker in text.lower() for marker in _AUTH_FAILED):
            text = "the server refused our credentials (check the token in scaffolder.token_env)"
        if self._token:
            text = text.replace(self._token, "***")
        if self._auth:
            text = text.replace(self._auth, "***")
        return text[:500]


def _check_name(name: str) -> None:
    if not _NAME.match(name) or ".." in name:
        raise PublishFailed(f"{name!r} cannot be a repository name.")


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))
