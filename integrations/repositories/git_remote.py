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

import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr

from catalog.git_runner import GitCredential, GitFailed, GitRunner
from integrations.errors import PublishFailed, RepositoryExists
from integrations.repositories._git import commit_folder, push_branch
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
        self._token = SecretStr(token) if token else None
        self._token_username = token_username

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
            try:
                result = self._git(Path(home), url).attempt("ls-remote", "--heads", url)
            except GitFailed as error:
                raise PublishFailed(
                    f"Could not check whether {url} exists: {error.reason}"
                ) from None
        if result.returncode == 0:
            return bool(result.stdout.strip())
        if local is not None:
            return True  # something that is not a repository holds the path
        reason = self._explain(result.reason)
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
                try:
                    self._git(Path(home), url).run("init", "--bare", "-q", branch, str(local))
                except GitFailed as error:
                    raise PublishFailed(f"git init failed: {error.reason}") from None
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
        git = self._git(tmp / "home", url)
        branch = request.default_branch
        try:
            commit_folder(
                git,
                source_dir,
                tmp / "repo.git",
                author=CommitAuthor(name=name, email=email),
                branch=branch,
                message=f"Create {request.name}\n\n{request.description}".strip(),
            )
        except GitFailed as error:
            raise PublishFailed(f"git {error.command} failed: {error.reason}") from None
        try:
            push_branch(git, tmp / "repo.git", url, branch)
        except GitFailed as error:
            reason = self._explain(error.reason)
            raise PublishFailed(f"The git server refused the push to {url}: {reason}") from None

    def _git(self, home: Path, url: str) -> GitRunner:
        """The runner for ``url``: file, ssh and http(s) remotes; the token only for its host."""
        credentials = []
        if self._token is not None and url.startswith(("https://", "http://")):
            credentials = [GitCredential.basic(url, self._token_username, self._token)]
        return GitRunner(
            home=home,
            credentials=credentials,
            timeout=self.timeout,
            protocols="file:ssh:http:https",
        )

    @staticmethod
    def _explain(reason: str) -> str:
        """git's reason, or what to do when it is about our credentials."""
        if any(marker in reason.lower() for marker in _AUTH_FAILED):
            return "the server refused our credentials (check the token in scaffolder.token_env)"
        return reason


def _check_name(name: str) -> None:
    if not _NAME.match(name) or ".." in name:
        raise PublishFailed(f"{name!r} cannot be a repository name.")


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))
