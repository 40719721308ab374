"""Security issues: open Dependabot alerts (GitHub) and vulnerability findings (GitLab) of
an entity's repository, counted by severity, as the state on the day they were read.

The repository is the entity's ``github.com/project-slug`` / ``gitlab.com/project-slug``, or
else its ``backstage.io/source-location`` when that points at the source's host. Repositories
are read concurrently (``concurrency``); a repository the token cannot see or that is gone is a
gap naming it, and a rejected token stops the source with one message.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from catalog.annotations import GITHUB_PROJECT_SLUG, GITLAB_PROJECT_SLUG, SOURCE_LOCATION
from catalog.refs import EntityRef
from integrations.kpis._http import JsonApi
from integrations.kpis.config import (
    GitHubSecurityConfig,
    GitLabSecurityConfig,
    SonarQubeConfig,
)
from integrations.kpis.errors import KpiEntityGone, KpiSourceDown, KpiSourceFailed
from integrations.kpis.model import (
    BUILT_IN_KPIS,
    SECURITY_KPIS,
    SEVERITIES,
    KpiEntity,
    KpiSpec,
    KpiValue,
    SourceReport,
)

__all__ = ["GitHubSecuritySource", "GitLabSecuritySource", "repository_of"]

_MAX_PAGES = 50


def repository_of(entity: KpiEntity, *, annotation: str, web_host: str) -> str | None:
    """``owner/repo`` (or ``group/sub/project``) from the annotation, else from a
    ``url:https://<web_host>/...`` source location."""
    slug = entity.annotation(annotation)
    if slug:
        return slug.strip("/")
    location = entity.annotation(SOURCE_LOCATION) or entity.source_location
    if not location:
        return None
    url = location.removeprefix("url:")
    parts = urlsplit(url)
    if parts.hostname != web_host.lower():
        return None
    path = parts.path.strip("/").removesuffix(".git")
    path = path.split("/-/")[0]  # GitLab: /group/project/-/tree/main
    segments = [s for s in path.split("/") if s]
    if "tree" in segments or "blob" in segments:  # GitHub: /owner/repo/tree/main/dir
        cut = min(segments.index(w) for w in ("tree", "blob") if w in segments)
        segments = segments[:cut]
    return "/".join(segments) if len(segments) >= 2 else None


class _RepositorySource:
    """Shared by GitHub and GitLab: one read per repository, in a thread pool."""

    annotation: str
    what: str
    api: JsonApi

    def __init__(
        self, config: GitHubSecurityConfig | GitLabSecurityConfig | SonarQubeConfig
    ) -> None:
        self.name = config.name
        self.config = config

    def target_of(self, entity: KpiEntity) -> str | None:
        """What to read for ``entity`` (its repository), if anything."""
        web_host = getattr(self.config, "web_host", "")
        return repository_of(entity, annotation=self.annotation, web_host=web_host)

    @property
    def kpis(self) -> tuple[KpiSpec, ...]:
        return tuple(BUILT_IN_KPIS[k] for k in SECURITY_KPIS)

    def close(self) -> None:
        self.api.close()

    def fetch(self, entities: Sequence[KpiEntity], days: Sequence[date]) -> SourceReport:
        report = SourceReport(self.name, SECURITY_KPIS)
        by_repo: dict[str, list[EntityRef]] = defaultdict(list)
        for entity in entities:
            repo = self.target_of(entity)
            if repo:
                by_repo[repo].append(entity.ref)
        report.asked = sum(len(v) for v in by_repo.values())
        if not by_repo or not days:
            return report
        day = days[-1]
        fatal: list[str] = []

        def read(repo: str) -> tuple[str, Counter[str] | str]:
            if fatal:
                return repo, "not read: the source failed"
            try:
                return repo, self.severities(repo)
            except KpiEntityGone as error:
                if self.what == "SonarQube":
                    return repo, error.user_message
                return repo, f"{self.what} has no repository {repo} that this token can see"
            except KpiSourceDown as error:
                fatal.append(error.user_message)
                return repo, error.user_message
            except KpiSourceFailed as error:
                return repo, error.user_message

        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix=self.name) as pool:
            answers = list(pool.map(read, sorted(by_repo)))
        if fatal:
            report.failure = fatal[0]
            report.requests = self.api.requests
            return report
        for repo, answer in answers:
            for ref in by_repo[repo]:
                if isinstance(answer, str):
                    report.gaps[ref] = answer
                    continue
                report.values.append(KpiValue(ref, "security", day, float(sum(answer.values()))))
                for severity in SEVERITIES:
                    value = float(answer.get(severity, 0))
                    report.values.append(KpiValue(ref, f"security.{severity}", day, value))
        report.requests = self.api.requests
        return report

    def severities(self, repo: str) -> Counter[str]:
        raise NotImplementedError


class GitHubSecuritySource(_RepositorySource):
    """Open Dependabot alerts per repository (``GET /repos/{o}/{r}/dependabot/alerts``)."""

    annotation = GITHUB_PROJECT_SLUG
    what = "GitHub"

    def __init__(
        self,
        config: GitHubSecurityConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(config)
        token = config.token.get_secret_value() if config.token else ""
        self.api = JsonApi.for_source(
            config,
            what="GitHub",
            base_url=config.api_url,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            sleep=sleep,
            transport=transport,
        )

    def severities(self, repo: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for alert in self._alerts(repo):
            severity = (alert.get("security_vulnerability") or {}).get("severity") or (
                alert.get("security_advisory") or {}
            ).get("severity")
            counts[str(severity or "low").lower()] += 1
        return counts

    def _alerts(self, repo: str) -> Iterator[dict[str, Any]]:
        path: str | None = f"repos/{repo}/dependabot/alerts"
        params: dict[str, Any] | None = {"state": "open", "per_page": 100}
        for _ in range(_MAX_PAGES):
            if path is None:
                return
            response = self.api.get(path, params=params, doing=f"reading alerts of {repo}")
            body = response.json()
            if not isinstance(body, list):
                raise KpiSourceFailed(f"GitHub answered without a list of alerts of {repo}")
            yield from (a for a in body if isinstance(a, dict))
            path, params = _next_link(response, self.api.base_url), None


class GitLabSecuritySource(_RepositorySource):
    """Vulnerability findings per project (``GET /projects/:id/vulnerability_findings``)."""

    annotation = GITLAB_PROJECT_SLUG
    what = "GitLab"

    def __init__(
        self,
        config: GitLabSecurityConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(config)
        token = config.token.get_secret_value() if config.token else ""
        self.api = JsonApi.for_source(
            config,
            what="GitLab",
            base_url=config.api_url,
            headers={"Authorization": f"Bearer {token}"},
            sleep=sleep,
            transport=transport,
        )

    def severities(self, repo: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        project = quote(repo, safe="")
        page: str | None = "1"
        for _ in range(_MAX_PAGES):
            if not page:
                break
            response = self.api.get(
                f"projects/{project}/vulnerability_findings",
                params={"per_page": 100, "page": page},
                doing=f"reading vulnerability findings of {repo}",
            )
            body = response.json()
            if not isinstance(body, list):
                raise KpiSourceFailed(f"GitLab answered without a list of findings of {repo}")
            for finding in body:
                if isinstance(finding, dict):
                    counts[str(finding.get("severity") or "unknown").lower()] += 1
            page = response.headers.get("x-next-page") or None
        return counts


def _next_link(response: httpx.Response, base_url: str) -> str | None:
    """The ``rel="next"`` link, only when it points back into the same API (the token must
    not be sent anywhere else)."""
    url = response.links.get("next", {}).get("url") or ""
    prefix = base_url + "/"
    return url.removeprefix(prefix) if url.startswith(prefix) else None
