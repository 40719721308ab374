"""Shallow clones on disk, one folder per (repository, branch), shared by every process:

    <root>/<key>/        the checkout (depth 1, no tags, files at the branch's last commit)
    <root>/<key>.json    what it is: URL, branch, commit, when fetched, size in bytes
    <root>/<key>.lock    flock'ed exclusively to clone, fetch or evict, shared to read;
                         its mtime is when the clone was last used (least recently used goes)

A clone is made in ``<key>.partial`` and renamed, so a crash never leaves half a checkout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.git_runner import GitFailed, GitRunner
from integrations.repositories._locks import LockTimeout, file_lock
from integrations.repositories.locations import RepoLocation

_log = logging.getLogger("integrations.repositories")


@dataclass(frozen=True, slots=True)
class Checkout:
    """A clone ready to read; ``warning`` says why its files may be older than wanted."""

    root: Path
    commit: str
    fetched_at: float
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached clone, as the size bound and eviction see it."""

    key: str
    web_url: str
    branch: str | None
    bytes: int
    last_used: float


class CloneStore:
    """Clones, refreshes and evicts; every step under the repository's file lock."""

    def __init__(
        self,
        root: Path,
        git: GitRunner,
        *,
        max_bytes: int,
        lock_timeout: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root
        self.git = git
        self.max_bytes = max_bytes
        self.lock_timeout = lock_timeout
        self.clock = clock

    def checkout(self, location: RepoLocation, *, max_age: float) -> Checkout:
        """A clone at most ``max_age`` seconds old (cloned or fetched now if needed); call
        ``evict`` afterwards, the cache may have grown.

        Raises GitFailed when the repository cannot be cloned, LockTimeout when another
        process holds it for too long.
        """
        key = _key(location)
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self._lock(key), timeout=self.lock_timeout):
            now = self.clock()
            os.utime(self._lock(key), (now, now))
            return self._refreshed(key, location, max_age)

    @contextmanager
    def held(self, location: RepoLocation) -> Iterator[Checkout | None]:
        """The clone as it is, locked against refresh and eviction while the block runs."""
        key = _key(location)
        with file_lock(self._lock(key), shared=True, timeout=self.lock_timeout):
            meta = self._meta(key)
            if meta is None or not (self.root / key / ".git").is_dir():
                yield None
            else:
                yield Checkout(self.root / key, meta["commit"], meta["fetched_at"])

    def entries(self) -> list[CacheEntry]:
        """Every complete clone, least recently used first."""
        found = []
        for meta_path in self.root.glob("*.json"):
            key = meta_path.stem
            meta = self._meta(key)
            if meta is None:
                continue
            try:
                used = self._lock(key).stat().st_mtime
            except FileNotFoundError:
                used = 0.0
            found.append(CacheEntry(key, meta["url"], meta["branch"], meta["bytes"], used))
        return sorted(found, key=lambda e: (e.last_used, e.key))

    def evict(self, *, keep: Collection[str] = ()) -> list[str]:
        """Remove least recently used clones until the total fits ``max_bytes``; clones in
        use elsewhere (locked) are skipped. Returns the web URLs removed."""
        entries = self.entries()
        total = sum(e.bytes for e in entries)
        removed: list[str] = []
        for entry in entries:
            if total <= self.max_bytes:
                break
            if entry.key in keep:
                continue
            try:
                with file_lock(self._lock(entry.key), timeout=0):
                    shutil.rmtree(self.root / entry.key, ignore_errors=True)
                    self._meta_path(entry.key).unlink(missing_ok=True)
                    self._lock(entry.key).unlink(missing_ok=True)
            except LockTimeout:
                continue
            total -= entry.bytes
            removed.append(entry.web_url)
            _log.info("evicted %s from the repository cache", entry.web_url)
        return removed

    def _refreshed(self, key: str, location: RepoLocation, max_age: float) -> Checkout:
        checkout = self.root / key
        meta = self._meta(key)
        if meta is not None and (checkout / ".git").is_dir():
            if self.clock() - meta["fetched_at"] < max_age:
                return Checkout(checkout, meta["commit"], meta["fetched_at"])
            try:
                changed = self._remote_commit(checkout, location) != meta["commit"]
                if changed:
                    self._fetch(checkout, location)
            except GitFailed as error:
                age = int((self.clock() - meta["fetched_at"]) // 60)
                warning = f"could not refresh it ({error.reason}); files are {age} min old"
                return Checkout(checkout, meta["commit"], meta["fetched_at"], warning)
        else:
            self._clone(checkout, location)
            changed = True
        if changed:
            commit = self.git.run("-C", str(checkout), "rev-parse", "HEAD").strip()
            size = _size(checkout)
        else:
            assert meta is not None
            commit, size = meta["commit"], meta["bytes"]
        now = self.clock()
        self._write_meta(key, location, commit=commit, fetched_at=now, size=size)
        return Checkout(checkout, commit, now)

    def _remote_commit(self, checkout: Path, location: RepoLocation) -> str:
        """The commit the branch points at on the remote: one round-trip, no fetch."""
        ref = f"refs/heads/{location.branch}" if location.branch else "HEAD"
        listed = self.git.run("-C", str(checkout), "ls-remote", "origin", ref).split()
        if not listed:
            raise GitFailed("ls-remote", f"{location.web_url} has no branch {location.branch}")
        return listed[0]

    def _clone(self, checkout: Path, location: RepoLocation) -> None:
        partial = checkout.with_name(checkout.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(checkout, ignore_errors=True)
        branch = ["--branch", location.branch] if location.branch else []
        self.git.run(
            "clone", "-q", "--template=", "--depth", "1", "--no-tags", "--single-branch",
            *branch, "--", location.clone_url, str(partial),
        )  # fmt: skip
        partial.rename(checkout)

    def _fetch(self, checkout: Path, location: RepoLocation) -> None:
        here = ("-C", str(checkout))
        self.git.run(*here, "fetch", "-q", "--depth", "1", "--no-tags", "origin",
                     location.branch or "HEAD")  # fmt: skip
        self.git.run(*here, "reset", "-q", "--hard", "FETCH_HEAD")
        self.git.run(*here, "clean", "-q", "-ffdx")

    def _lock(self, key: str) -> Path:
        return self.root / f"{key}.lock"

    def _meta_path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def _meta(self, key: str) -> dict[str, Any] | None:
        try:
            meta = json.loads(self._meta_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None

    def _write_meta(
        self, key: str, location: RepoLocation, *, commit: str, fetched_at: float, size: int
    ) -> None:
        meta = {
            "url": location.web_url,
            "branch": location.branch,
            "commit": commit,
            "fetched_at": fetched_at,
            "bytes": size,
        }
        temporary = self._meta_path(key).with_suffix(".json.tmp")
        temporary.write_text(json.dumps(meta), encoding="utf-8")
        temporary.replace(self._meta_path(key))


def _key(location: RepoLocation) -> str:
    """A folder name people can recognise, unique per repository URL and branch."""
    digest = hashlib.sha256(f"{location.web_url}#{location.branch or ''}".encode()).hexdigest()
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", location.web_url.split("://", 1)[-1])
    return f"{readable[-60:].strip('._')}-{digest[:12]}"


def _size(folder: Path) -> int:
    total = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size  # noqa: PTH118
            except FileNotFoundError:
                continue
    return total
