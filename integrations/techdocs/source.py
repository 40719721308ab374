"""Where an entity's docs live on disk, from its ``backstage.io/techdocs-ref`` annotation.

``dir:<path>`` is relative to the folder of the entity's catalog file and must stay inside its
repository. ``url:<git location>`` is resolved locally when it points into the repository the
entity itself was read from (its ``backstage.io/source-location``, checked out at
``repo_dir``); any other URL is cloned through the repository cache (``integrations.
repositories``), or reported as unavailable when there is none or it cannot clone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from catalog import EntityRef, StoredEntity
from catalog.annotations import SOURCE_LOCATION, TECHDOCS_REF
from integrations.errors import DocsBuildFailed, DocsSourceUnavailable
from integrations.repositories import RepoFolder, RepoResult

__all__ = [
    "SOURCE_LOCATION",
    "TECHDOCS_REF",
    "DocsSource",
    "UrlFolders",
    "has_docs",
    "resolve_docs_source",
]

# GitHub (/tree|blob/<ref>/), GitLab (/-/tree|blob/<ref>/), Bitbucket (/src/<ref>/)
_REPO_PATH = re.compile(
    r"^/(?P<repo>[^/]+/[^/]+?)(?:\.git)?(?=/|$)(?:/(?:-/)?(?:tree|blob|src)/[^/]+)?/?"
)


class UrlFolders(Protocol):
    """Where repositories are on disk (``integrations.repositories.RepositoryCache``)."""

    def folder_at(self, ref: EntityRef, url: str, *, max_age: float | None = None) -> RepoResult:
        """The folder ``url`` points at, cloned if needed, or why there is none."""
        ...

    def folder_for(self, stored: StoredEntity, *, max_age: float | None = None) -> RepoResult:
        """The entity's own folder in its repository (from its source-location)."""
        ...


@dataclass(frozen=True, slots=True)
class DocsSource:
    """The folder holding ``mkdocs.yml`` (or the docs) and the annotation it came from."""

    root: Path
    annotation: str


def has_docs(stored: StoredEntity) -> bool:
    """Whether the entity asks for TechDocs at all."""
    return bool((stored.entity.annotation(TECHDOCS_REF) or "").strip())


def resolve_docs_source(stored: StoredEntity, repositories: UrlFolders | None = None) -> DocsSource:
    """The local docs folder; DocsBuildFailed for a wrong annotation, DocsSourceUnavailable
    when the sources cannot be had here."""
    value = (stored.entity.annotation(TECHDOCS_REF) or "").strip()
    kind, _, target = value.partition(":")
    if kind == "dir" and target:
        return DocsSource(_dir_target(stored, target, repositories), value)
    if kind == "url" and target:
        return DocsSource(_url_target(stored, target, repositories), value)
    raise DocsBuildFailed(
        f"{TECHDOCS_REF} must be 'dir:<path>' or 'url:<repository URL>', found {value!r}"
    )


def _dir_target(stored: StoredEntity, target: str, repositories: UrlFolders | None) -> Path:
    if stored.entity_dir is None and repositories is not None:
        # Synced from Backstage's API: the files are in the repository its annotations name.
        found = repositories.folder_for(stored)
        if isinstance(found, RepoFolder):
            return _inside(found.repo_root.resolve(), found.path / target, f"dir:{target}")
        raise DocsSourceUnavailable(f"{TECHDOCS_REF} 'dir:{target}': {found.reason}")
    if stored.entity_dir is None:
        raise DocsSourceUnavailable(
            f"{TECHDOCS_REF} 'dir:{target}' is relative to the entity's catalog file, but "
            f"{stored.ref.short} came from {stored.location}, which is not a folder on this "
            "machine"
        )
    base = Path(stored.entity_dir).resolve()
    boundary = Path(stored.repo_dir).resolve() if stored.repo_dir else base
    return _inside(boundary, base / target, f"dir:{target}")


def _inside(boundary: Path, path: Path, label: str) -> Path:
    folder = path.resolve()
    if not folder.is_relative_to(boundary):
        raise DocsBuildFailed(f"{TECHDOCS_REF} '{label}' points outside the repository")
    if not folder.is_dir():
        raise DocsBuildFailed(f"{TECHDOCS_REF} '{label}': no such folder in the repository")
    return folder


def _url_target(stored: StoredEntity, url: str, repositories: UrlFolders | None) -> Path:
    location = (stored.entity.annotation(SOURCE_LOCATION) or "").strip().removeprefix("url:")
    if stored.repo_dir and location:
        own, wanted = _repo_and_path(location), _repo_and_path(url)
        if own is not None and wanted is not None and own[0] == wanted[0]:
            boundary = Path(stored.repo_dir).resolve()  # the path is from the repository root
            return _inside(boundary, boundary / wanted[1], f"url:{url}")
    if repositories is not None:
        found = repositories.folder_at(stored.ref, f"url:{url}")
        if isinstance(found, RepoFolder):
            return _inside(found.repo_root.resolve(), found.path, f"url:{url}")
        raise DocsSourceUnavailable(f"{TECHDOCS_REF} 'url:{url}': {found.reason}")
    raise DocsSourceUnavailable(
        f"{TECHDOCS_REF} 'url:{url}' points at a repository that is not checked out here, "
        "and no repository cache was given to clone it. "
        "Use 'dir:.' when the docs sit next to catalog-info.yaml"
    )


def _repo_and_path(url: str) -> tuple[str, str] | None:
    """(host/owner/repo, path inside the repository) of a web or git URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    match = _REPO_PATH.match(parts.path)
    if match is None:
        return None
    repo = f"{parts.netloc.lower()}/{match['repo'].lower()}"
    return repo, parts.path[match.end() :].strip("/")
