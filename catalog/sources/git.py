"""A git repository (remote URL or local path), shallow-cloned with the git CLI into a cache
folder and refreshed on each sync, then read as a folder or through a Location file in it."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from catalog.errors import SourceUnavailable
from catalog.git_runner import GitCredential, GitFailed, GitRunner
from catalog.sources.base import FileReaderLike, ScannedFile, SourceState
from catalog.sources.directory import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, DirectorySource
from catalog.sources.file_reader import content_hash
from catalog.sources.location import LocationSource

__all__ = ["GitSource", "redact_url"]


def redact_url(url: str) -> str:
    """The URL without any user name or password in it, safe for logs and messages."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit(parts._replace(netloc=host))
    return url


class GitSource:
    """A repository read as a folder (``include`` globs) or from a Location file (``location``)."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        cache_dir: Path,
        branch: str | None = None,
        subpath: str = ".",
        location: str | None = None,
        include: list[str] | None = None,
        exclude: list[str] | None = None,
        token: SecretStr | None = None,
        username: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.name = name
        self.url = url
        self.branch = branch
        self.subpath = subpath
        self.location = location
        self.include = include or list(DEFAULT_INCLUDE)
        self.exclude = exclude or list(DEFAULT_EXCLUDE)
        self.timeout = timeout
        key = hashlib.sha256(f"{url}#{branch or ''}".encode()).hexdigest()[:16]
        self.checkout = cache_dir / "git" / key
        credentials = []
        if token is not None and url.startswith(("https://", "http://")):
            # a user name means HTTP basic (GitHub, GitLab tokens), none a bearer token
            login = GitCredential.basic(url, username, token) if username else None
            credentials = [login or GitCredential.bearer(url, token)]
        self._runner = GitRunner(
            home=self.checkout.parent / "home",
            credentials=credentials,
            timeout=timeout,
            # a local path or file:// repository is the point of some sources; ssh for git@
            protocols="file:ssh:http:https",
        )
        self._fresh = False  # refreshed by ``current_digest`` for the scan that may follow
        self._inner: LocationSource | DirectorySource | None = None

    def _identity(self) -> str:
        read = (
            f"location\0{self.location}"
            if self.location
            else ("directory\0" + "\0".join(self.include) + "\0\0" + "\0".join(self.exclude))
        )
        return f"git\0{self.url}\0{self.branch or ''}\0{self.subpath}\0{read}"

    def _commit_digest(self) -> str | None:
        try:
            commit = self._runner.run("rev-parse", "HEAD", cwd=self.checkout).strip()
        except GitFailed:
            return None
        return content_hash(f"{self._identity()}\0{commit}".encode())

    def observed_state(self) -> SourceState | None:
        """The commit the last scan read: the same commit has the same files, whatever their
        stamps (a fresh clone rewrites them all)."""
        tree = self._inner.last_tree if self._inner is not None else None
        digest = self._commit_digest() if tree is not None and not tree.reads_git_folder else None
        return SourceState(digest) if digest is not None else None

    def current_digest(self, paths: Sequence[str]) -> str | None:
        """Fetches, then the commit's digest (no file is stat'ed or read)."""
        self.refresh()
        self._fresh = True
        return self._commit_digest()

    def scan(self, reader: FileReaderLike) -> Iterator[ScannedFile]:
        repo, self._fresh = (self.checkout if self._fresh else self.refresh()), False
        base = (repo / self.subpath).resolve()
        if not base.is_relative_to(repo.resolve()) or not base.is_dir():
            raise SourceUnavailable(
                f"source {self.name!r}: {self.subpath!r} is not a folder of the repository"
            )
        inner: LocationSource | DirectorySource
        if self.location:
            inner = LocationSource(self.name, base / self.location, root=repo, repo_dir=repo)
        else:
            inner = DirectorySource(
                self.name, base, include=self.include, exclude=self.exclude, repo_dir=repo
            )
        self._inner = inner
        yield from inner.scan(reader)

    def refresh(self) -> Path:
        """Clone or fast-forward the cached checkout; raises SourceUnavailable when git fails."""
        self.checkout.parent.mkdir(parents=True, exist_ok=True)
        with self.checkout.with_suffix(".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if (self.checkout / ".git").is_dir():
                self._git(
                    "fetch", "--depth", "1", "origin", self.branch or "HEAD", cwd=self.checkout
                )
                self._git("reset", "--hard", "FETCH_HEAD", cwd=self.checkout)
                self._git("clean", "-fdx", cwd=self.checkout)
            else:
                partial = self.checkout.with_name(self.checkout.name + ".partial")
                shutil.rmtree(partial, ignore_errors=True)
                branch = ["--branch", self.branch] if self.branch else []
                self._git("clone", "--depth", "1", *branch, "--", self._clone_url(), str(partial))
                partial.rename(self.checkout)
        return self.checkout

    def _clone_url(self) -> str:
        if "://" in self.url or self.url.startswith("git@"):
            return self.url
        return Path(self.url).resolve().as_uri()

    def _git(self, *args: str, cwd: Path | None = None) -> None:
        try:
            self._runner.run(*args, cwd=cwd)
        except GitFailed as error:
            reason = error.reason.replace(self.url, redact_url(self.url))
            raise SourceUnavailable(
                f"source {self.name!r}: git {args[0]} of {redact_url(self.url)} failed: {reason}"
            ) from None
