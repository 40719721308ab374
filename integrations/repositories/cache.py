"""Any entity's files on local disk, for TechDocs builds and migration repository checks.

Entities synced from a directory or git source already have their folder (``entity_dir``);
for the others (synced from a Backstage API) the repository their annotations name is kept as
a shallow clone under ``data_dir/repos/``, refreshed when older than ``refresh_minutes``,
size-bounded (least recently used evicted), cloned with per-host credentials that never land
in ``.git/config``. Every entity gets an answer: its folder, or why there is none.
"""

from __future__ import annotations

import errno
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from catalog.git_runner import GitCredential, GitFailed, GitRunner
from catalog.refs import EntityRef
from catalog.store import StoredEntity
from integrations.repositories._clones import CacheEntry, Checkout, CloneStore
from integrations.repositories._locks import LockTimeout
from integrations.repositories.config import RepositoriesSettings
from integrations.repositories.locations import (
    RepoLocation,
    RepoLocationError,
    locate_repository,
    locate_url,
)

__all__ = ["CacheEntry", "RepoFolder", "RepoResult", "RepoUnavailable", "RepositoryCache"]

_log = logging.getLogger("integrations.repositories")


@dataclass(frozen=True, slots=True)
class RepoFolder:
    """An entity's folder on local disk (``path``), inside its repository (``repo_root``)."""

    ref: EntityRef
    path: Path
    repo_root: Path
    origin: Literal["local", "cache"]
    commit: str | None = None
    web_url: str | None = None
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class RepoUnavailable:
    """Why an entity's files cannot be had (in words for a report), per entity."""

    ref: EntityRef
    reason: str
    web_url: str | None = None


RepoResult = RepoFolder | RepoUnavailable
"""What ``folder_for`` answers for one entity."""

#: A full disk (or quota), as the system says it and as git reports it.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_DISK_FULL_WORDS = ("No space left on device", "Disk quota exceeded", "File too large")


class RepositoryCache:
    """Resolves entities to folders, cloning and refreshing their repositories as needed."""

    def __init__(
        self,
        root: Path,
        settings: RepositoriesSettings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root
        self.settings = settings
        credentials = [
            GitCredential.basic(h.url, h.git_username, h.token)
            for h in settings.hosts
            if h.token is not None and h.token.get_secret_value()
        ]
        timeout = settings.cache.git_timeout_seconds
        git = GitRunner(home=root / ".git-home", credentials=credentials, timeout=timeout)
        self._store = CloneStore(
            root,
            git,
            max_bytes=int(settings.cache.max_megabytes * 1024 * 1024),
            lock_timeout=timeout * 2,
            clock=clock,
        )

    def __repr__(self) -> str:
        return f"RepositoryCache({self.root})"

    def folder_for(self, stored: StoredEntity, *, max_age: float | None = None) -> RepoResult:
        """The entity's folder, refreshed if its clone is older than ``max_age`` seconds
        (default: ``cache.refresh_minutes``; 0 fetches now)."""
        return self.folders_for([stored], max_age=max_age)[stored.ref]

    def folder_of(self, entity: StoredEntity) -> Path | None:
        """The entity's folder or None: the ``RepositoryResolver`` seam of migration checks.
        Call ``folders_for`` on the whole batch first so repositories are cloned in parallel."""
        result = self.folder_for(entity)
        return result.path if isinstance(result, RepoFolder) else None

    def folders_for(
        self, entities: Iterable[StoredEntity], *, max_age: float | None = None
    ) -> dict[EntityRef, RepoResult]:
        """Every entity's folder or reason; each repository is cloned or fetched once, a few
        at a time, and one that fails only affects its own entities."""
        wanted: dict[EntityRef, RepoResult | RepoLocation] = {}
        for stored in entities:
            local = _local_folder(stored)
            if local is not None:
                wanted[stored.ref] = local
                continue
            try:
                wanted[stored.ref] = locate_repository(stored.entity, self.settings.hosts)
            except RepoLocationError as error:
                wanted[stored.ref] = RepoUnavailable(stored.ref, f"No repository: {error}.")
        return self._resolve(wanted, max_age)

    def folder_at(self, ref: EntityRef, url: str, *, max_age: float | None = None) -> RepoResult:
        """The folder a ``url:`` location points at, for ``ref`` (e.g. its techdocs-ref
        naming another repository)."""
        try:
            location: RepoResult | RepoLocation = locate_url(url, self.settings.hosts)
        except RepoLocationError as error:
            location = RepoUnavailable(ref, f"No repository: {error}.")
        return self._resolve({ref: location}, max_age)[ref]

    @contextmanager
    def reading(
        self, stored: StoredEntity, *, max_age: float | None = None
    ) -> Iterator[RepoResult]:
        """The entity's folder, kept as it is (no refresh, no eviction by any process) until
        the block ends: use it around reads that take a while, such as a docs build."""
        result = self.folder_for(stored, max_age=max_age)
        if not isinstance(result, RepoFolder) or result.origin == "local":
            yield result
            return
        location = locate_repository(stored.entity, self.settings.hosts)
        with self._store.held(location) as checkout:
            if checkout is None:
                yield RepoUnavailable(stored.ref, "Its clone was evicted meanwhile; try again.")
            else:
                yield _entity_folder(stored.ref, location, checkout)

    def entries(self) -> list[CacheEntry]:
        """The cached clones, least recently used first."""
        return self._store.entries()

    def _resolve(
        self, wanted: dict[EntityRef, RepoResult | RepoLocation], max_age: float | None
    ) -> dict[EntityRef, RepoResult]:
        age = self.settings.cache.refresh_minutes * 60.0 if max_age is None else max_age
        repos = {
            (item.web_url, item.branch): item
            for item in wanted.values()
            if isinstance(item, RepoLocation)
        }
        with ThreadPoolExecutor(max_workers=self.settings.cache.parallel) as pool:
            found = pool.map(lambda location: self._checkout(location, age), repos.values())
            checkouts = dict(zip(repos, found, strict=True))
        if checkouts:  # once per batch, sparing the clones it hands out
            self._store.evict(
                keep={c.root.name for c in checkouts.values() if isinstance(c, Checkout)}
            )
        return {
            ref: _entity_folder(ref, item, checkouts[(item.web_url, item.branch)])
            if isinstance(item, RepoLocation)
            else item
            for ref, item in wanted.items()
        }

    def _checkout(self, location: RepoLocation, max_age: float) -> Checkout | str:
        try:
            return self._store.checkout(location, max_age=max_age)
        except GitFailed as error:
            _log.warning("cannot clone %s: %s", location.web_url, error.reason)
            hint = ""
            if "Authentication failed" in error.reason or "Username" in error.reason:
                hint = f" (check token_env of host {location.host.url} in repositories.hosts)"
            elif any(words in error.reason for words in _DISK_FULL_WORDS):
                hint = self._out_of_space()
            return f"Could not clone {location.web_url}: {error.reason}{hint}"
        except OSError as error:
            if error.errno not in _DISK_FULL:
                raise
            _log.warning("cannot clone %s: %s", location.web_url, error)
            reason = os.strerror(error.errno or errno.ENOSPC)
            return f"Could not clone {location.web_url}: {reason}{self._out_of_space()}"
        except LockTimeout:
            return f"{location.web_url} is being cloned by another process for too long."

    def _out_of_space(self) -> str:
        return (
            f" (the clone cache in {self.root} is out of space: free some there, or lower "
            "repositories.cache.max_megabytes)"
        )


def _local_folder(stored: StoredEntity) -> RepoFolder | None:
    if not stored.entity_dir or not Path(stored.entity_dir).is_dir():
        return None
    path = Path(stored.entity_dir)
    root = Path(stored.repo_dir) if stored.repo_dir else path
    return RepoFolder(stored.ref, path, root, "local")


def _entity_folder(ref: EntityRef, location: RepoLocation, checkout: Checkout | str) -> RepoResult:
    if isinstance(checkout, str):
        return RepoUnavailable(ref, checkout, location.web_url)
    root = checkout.root.resolve()
    folder = (root / location.path).resolve()
    if not folder.is_relative_to(root) or not folder.is_dir():
        branch = f" ({location.branch})" if location.branch else ""
        return RepoUnavailable(
            ref,
            f"{location.path!r} is not a folder of {location.web_url}{branch}.",
            location.web_url,
        )
    return RepoFolder(
        ref, folder, root, "cache", checkout.commit, location.web_url, checkout.warning
    )
