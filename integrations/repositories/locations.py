"""Where an entity's files live in a remote repository, read from its annotations:
``backstage.io/source-location`` (``url:https://host/org/repo/tree/main/path``, GitLab's
``/-/tree/main/path``), else ``backstage.io/managed-by-location`` (the folder of its catalog
file), else ``github.com/project-slug`` / ``gitlab.com/project-slug`` on the first configured
host of that type. Only configured hosts are cloned from: catalog text is untrusted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from posixpath import dirname
from urllib.parse import unquote, urlsplit

from catalog.annotations import MANAGED_BY_LOCATION, SOURCE_LOCATION
from catalog.model import Entity
from integrations.repositories.config import RepositoryHostSettings

__all__ = [
    "MANAGED_BY_LOCATION",
    "SOURCE_LOCATION",
    "RepoLocation",
    "RepoLocationError",
    "locate_repository",
    "locate_url",
]

PROJECT_SLUGS = {"github": "github.com/project-slug", "gitlab": "gitlab.com/project-slug"}


class RepoLocationError(ValueError):
    """The entity names no repository greenroom may clone; the message says why."""


@dataclass(frozen=True, slots=True)
class RepoLocation:
    """A folder inside a remote repository (``branch`` None: the remote's default branch)."""

    web_url: str
    branch: str | None
    path: str
    host: RepositoryHostSettings

    @property
    def clone_url(self) -> str:
        return f"{self.web_url}.git"


def locate_repository(entity: Entity, hosts: Sequence[RepositoryHostSettings]) -> RepoLocation:
    """The repository folder an entity's annotations point at; RepoLocationError otherwise."""
    source = entity.annotation(SOURCE_LOCATION)
    if source:
        return _from_url(source, hosts, SOURCE_LOCATION, file=False)
    managed = entity.annotation(MANAGED_BY_LOCATION)
    if managed and managed.startswith("url:"):
        return _from_url(managed, hosts, MANAGED_BY_LOCATION, file=True)
    for kind, annotation in PROJECT_SLUGS.items():
        slug = (entity.annotation(annotation) or "").strip().strip("/")
        if slug:
            host = next((h for h in hosts if h.type == kind), None)
            if host is None:
                raise RepoLocationError(
                    f"{annotation} is set but no {kind} host is configured in repositories.hosts"
                )
            return RepoLocation(f"{host.url}/{_project(slug.split('/'))}", None, "", host)
    raise RepoLocationError(
        f"it has no {SOURCE_LOCATION}, {MANAGED_BY_LOCATION} (url:) or project-slug annotation"
    )


def locate_url(value: str, hosts: Sequence[RepositoryHostSettings]) -> RepoLocation:
    """The repository folder a ``url:`` location points at (a techdocs-ref, say)."""
    return _from_url(value, hosts, "location", file=False)


def _from_url(
    value: str, hosts: Sequence[RepositoryHostSettings], annotation: str, *, file: bool
) -> RepoLocation:
    target, colon, url = value.partition(":")
    if not colon or target != "url":
        raise RepoLocationError(
            f"its {annotation} is {value!r}, a {target or 'bare'} location on the server that "
            "read it, not a repository URL"
        )
    parts = urlsplit(url)
    host = _host_for(url, hosts)
    if host is None:
        where = f"{parts.scheme}://{parts.netloc}" if parts.netloc else url
        raise RepoLocationError(f"its repository host {where} is not listed in repositories.hosts")
    rest = urlsplit(url).path[len(urlsplit(host.url).path) :]
    segments = [unquote(s) for s in rest.split("/") if s]
    project, branch, path = _split(segments, github=host.type == "github")
    if file:
        path = dirname(path)
    return RepoLocation(f"{host.url}/{_project(project)}", branch, path, host)


def _host_for(url: str, hosts: Sequence[RepositoryHostSettings]) -> RepositoryHostSettings | None:
    parts = urlsplit(url)
    best: RepositoryHostSettings | None = None
    for host in hosts:
        base = urlsplit(host.url)
        same_server = (base.scheme, base.netloc.lower()) == (parts.scheme, parts.netloc.lower())
        prefix = base.path.rstrip("/")
        under = parts.path == prefix or parts.path.startswith(prefix + "/")
        if same_server and under and (best is None or len(host.url) > len(best.url)):
            best = host
    return best


def _split(segments: list[str], *, github: bool) -> tuple[list[str], str | None, str]:
    """``(project segments, branch, path)`` of ``org/repo/tree/main/a/b`` and of GitLab's
    ``group/sub/repo/-/tree/main/a/b``. A branch with '/' in it cannot be told from a path:
    like Backstage, the first segment after tree/blob is taken as the branch."""
    if "-" in segments:
        dash = segments.index("-")
        project, tail = segments[:dash], segments[dash + 1 :]
    elif github:
        project, tail = segments[:2], segments[2:]
    else:
        cut = next(
            (i for i in range(2, len(segments)) if segments[i] in {"tree", "blob"}), len(segments)
        )
        project, tail = segments[:cut], segments[cut:]
    if tail and tail[0] in {"tree", "blob"} and len(tail) >= 2:
        return project, tail[1], "/".join(tail[2:])
    if tail:
        raise RepoLocationError(f"cannot read {'/'.join(segments)!r} as a repository folder URL")
    return project, None, ""


def _project(segments: list[str]) -> str:
    segments = [s for s in segments if s]
    if segments:
        segments[-1] = segments[-1].removesuffix(".git")
    if len(segments) < 2 or any(s in {".", ".."} for s in segments):
        raise RepoLocationError(f"{'/'.join(segments)!r} is not an owner/repository path")
    return "/".join(segments)
