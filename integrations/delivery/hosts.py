"""Which repository an entity's delivery is read from, and where that host's API is.

The repository comes from the same annotations every other reader uses
(``integrations.repositories.locate_repository``: ``backstage.io/source-location``, the
managed-by location, ``github.com/project-slug``, ``gitlab.com/project-slug``), and only from
``repositories.hosts``: catalog text never sends greenroom's tokens anywhere else. The API base
is derived from the host's web URL: ``https://api.github.com`` for github.com,
``<url>/api/v3`` for GitHub Enterprise Server, ``<url>/api/v4`` for GitLab."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import httpx

from catalog.model import Entity
from integrations.delivery._http import HostClient
from integrations.delivery.errors import NoRepository
from integrations.repositories import RepoLocationError, RepositoryHostSettings, locate_repository

__all__ = ["PullRequestLink", "RepositoryTarget", "parse_pull_request_url", "target_for"]

_GITHUB_PULL = re.compile(r"^(?P<slug>[^/]+/[^/]+)/pull/(?P<number>\d{1,9})(?:/.*)?$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,99}$")
_GITLAB_MR = re.compile(r"^(?P<slug>.+?)/-/merge_requests/(?P<number>\d{1,9})(?:/.*)?$")


@dataclass(frozen=True, slots=True)
class RepositoryTarget:
    """A repository on one configured host."""

    platform: str  # github or gitlab
    host: RepositoryHostSettings
    slug: str

    @property
    def web_url(self) -> str:
        return f"{self.host.url}/{self.slug}"

    @property
    def api_url(self) -> str:
        parts = urlsplit(self.host.url)
        if self.platform == "github":
            if parts.hostname in {"github.com", "www.github.com"}:
                return "https://api.github.com"
            return f"{self.host.url}/api/v3"
        return f"{self.host.url}/api/v4"

    @property
    def key(self) -> str:
        """A stable name for the repository (cache keys, logs)."""
        return f"{self.platform}:{self.web_url}"

    def client(
        self,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        api_url: str | None = None,
    ) -> HostClient:
        """A client for this repository's API (or ``api_url``) with the host's read token."""
        return HostClient(
            platform=self.platform,
            api_url=api_url or self.api_url,
            slug=self.slug,
            token=self.host.token,
            token_env=self.host.token_env,
            timeout=timeout,
            transport=transport,
        )


@dataclass(frozen=True, slots=True)
class PullRequestLink:
    """A pull request named by its URL."""

    target: RepositoryTarget
    number: int


def target_for(entity: Entity, hosts: Sequence[RepositoryHostSettings]) -> RepositoryTarget:
    """The entity's repository; ``NoRepository`` says why there is none."""
    try:
        location = locate_repository(entity, hosts)
    except RepoLocationError as error:
        raise NoRepository(
            f"{entity.ref.short} names no repository greenroom can read: {error}. Add "
            "github.com/project-slug or gitlab.com/project-slug (or a source-location) to its "
            "catalog-info.yaml."
        ) from None
    platform = _platform(location.host)
    if platform is None:
        raise NoRepository(
            f"{entity.ref.short}'s repository is on {location.host.url}, which is not marked "
            "as GitHub or GitLab: set its type in repositories.hosts."
        )
    slug = location.web_url.removeprefix(location.host.url).strip("/")
    if not _valid_slug(slug, platform):
        raise NoRepository(
            f"{entity.ref.short}'s repository {slug[:100]!r} is not a "
            f"{'owner/name' if platform == 'github' else 'group/project'} path."
        )
    return RepositoryTarget(platform, location.host, slug)


def parse_pull_request_url(
    url: str, hosts: Sequence[RepositoryHostSettings]
) -> PullRequestLink | None:
    """The pull request a GitHub ``.../owner/repo/pull/12`` or GitLab
    ``.../group/project/-/merge_requests/12`` URL names, on a configured host; else None."""
    parts = urlsplit(url.strip().strip("<>"))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    for host in sorted(hosts, key=lambda h: -len(h.url)):
        base = urlsplit(host.url)
        if (base.scheme, base.netloc.lower()) != (parts.scheme, parts.netloc.lower()):
            continue
        prefix = base.path.rstrip("/")
        if not parts.path.startswith(prefix + "/"):
            continue
        rest = unquote(parts.path[len(prefix) + 1 :]).rstrip("/")
        platform = _platform(host)
        pattern = _GITHUB_PULL if platform == "github" else _GITLAB_MR
        match = pattern.match(rest) if platform else None
        if match and _valid_slug(match["slug"], platform or ""):
            target = RepositoryTarget(platform or "", host, match["slug"])
            return PullRequestLink(target, int(match["number"]))
    return None


def _valid_slug(slug: str, platform: str) -> bool:
    """Plain path segments only: catalog text becomes part of API paths sent with a token."""
    segments = slug.split("/")
    if platform == "github" and len(segments) != 2:
        return False
    return len(segments) >= 2 and all(_SEGMENT.match(s) and s not in {".", ".."} for s in segments)


def _platform(host: RepositoryHostSettings) -> str | None:
    if host.type:
        return host.type
    name = urlsplit(host.url).hostname or ""
    return "github" if "github" in name else "gitlab" if "gitlab" in name else None
