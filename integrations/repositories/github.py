"""Publishing to GitHub (github.com or GitHub Enterprise Server) through its REST API v3, as
Backstage's ``publish:github`` does: create the repository, set topics, give the owning team
access, push the first commit, and delete the repository again if a later step fails."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from catalog.annotations import GITHUB_PROJECT_SLUG, GITHUB_TEAM_SLUG, SOURCE_LOCATION
from integrations.errors import PublishFailed, RepositoryExists
from integrations.repositories._api import ApiClient, server_message
from integrations.repositories._publishing import (
    Created,
    check_name,
    check_request,
    did_you_mean,
    finish_publishing,
    prepared_commit,
)
from integrations.repositories.base import CommitAuthor, PublishedRepository, RepositoryRequest
from integrations.repositories.config import RepositoryProviderSettings

__all__ = ["GITHUB_PROJECT_SLUG", "GITHUB_TEAM_SLUG", "GitHubPublisher"]


_log = logging.getLogger("integrations.repositories")
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
_SLUG = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9_.-]*/)?[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HOW_TO_DELETE = "on GitHub: the repository's Settings, Danger Zone, Delete this repository"


class GitHubPublisher:
    """A ``RepositoryPublisher`` for one GitHub organisation (or the token's own user)."""

    def __init__(
        self,
        settings: RepositoryProviderSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._api, self._token = ApiClient.for_provider(
            settings,
            platform="GitHub",
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            sleep=sleep,
            max_wait=max_wait,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"GitHubPublisher({self.settings.name!r}, {self._api.base_url})"

    def exists(self, name: str) -> bool:
        """Whether ``owner/name`` exists (or the token can see it)."""
        check_name(name)
        response = self._api.call(
            "GET", f"repos/{self._owner()}/{name}", doing=f"checking whether {name} exists"
        )
        if response.status_code == 200:
            return True
        if response.status_code in (301, 404):  # 301: renamed away; the old name is free
            return False
        raise self._api.failure(response, f"checking whether {name} exists")

    def publish(
        self, source_dir: Path, request: RepositoryRequest, author: CommitAuthor
    ) -> PublishedRepository:
        """Create ``request.name``, configure it, push ``source_dir``; undo on failure."""
        check_request(request, source_dir)
        bad_topics = [t for t in request.topics if not _TOPIC.match(t)]
        if bad_topics:
            raise PublishFailed(
                f"GitHub topics must be lower-case letters, digits and '-', at most 50 "
                f"characters: {', '.join(map(repr, bad_topics))} is not."
            )
        team = self._team(request.owner_team_slug)
        with prepared_commit(source_dir, request, author) as (git, commit):
            created = self._create(request)

            def configure() -> None:
                if request.topics:
                    self._set_topics(created, request.topics)
                if team is not None:
                    self._grant(created, *team)

            finish_publishing(
                "GitHub",
                created,
                git=git,
                commit=commit,
                branch=request.default_branch,
                login=("x-access-token", self._token),
                configure=configure,
                delete=lambda: self._delete(created),
                how_to_delete=_HOW_TO_DELETE,
            )
        _log.info("published %s", created.web_url)
        branch = request.default_branch
        return PublishedRepository(
            web_url=created.web_url,
            clone_url=created.clone_url,
            annotations=(
                (GITHUB_PROJECT_SLUG, created.full_path),
                (SOURCE_LOCATION, f"url:{created.web_url}/tree/{branch}/"),
            ),
        )

    # steps -----------------------------------------------------------------------------------
    def _owner(self) -> str:
        if self.settings.owner:
            return self.settings.owner
        return self._api.token_user("login")

    def _team(self, slug: str | None) -> tuple[str, str] | None:
        """``(org, team)`` once checked to exist, before anything is created."""
        if not slug:
            return None
        if not _SLUG.match(slug) or ".." in slug:
            raise PublishFailed(
                f"{slug!r} (the owning Group's {GITHUB_TEAM_SLUG} annotation) is not a team "
                "slug; write it as org/team-slug."
            )
        org, _, team = slug.rpartition("/")
        org = org or (self.settings.owner or "")
        if not self.settings.owner:
            raise PublishFailed(
                f"Team access for {slug!r} needs an organisation, but provider "
                f"{self.settings.name!r} creates repositories for the token's own user."
            )
        if org.lower() != self.settings.owner.lower():
            raise PublishFailed(
                f"Team {slug!r} (the Group's {GITHUB_TEAM_SLUG} annotation) belongs to "
                f"{org!r}, but repositories are created in {self.settings.owner!r}."
            )
        doing = f"looking up team {team!r}"
        response = self._api.call("GET", f"orgs/{org}/teams/{team}", doing=doing)
        if response.status_code == 404:
            raise PublishFailed(
                f"GitHub team {team!r} was not found in organisation {org!r} (from the "
                f"owning Group's {GITHUB_TEAM_SLUG} annotation).{self._suggest_team(org, team)}"
            )
        if response.status_code != 200:
            raise self._api.failure(response, doing)
        return org, team

    def _suggest_team(self, org: str, team: str) -> str:
        slugs = [
            str(t["slug"])
            for t in self._api.pages(
                f"orgs/{org}/teams", params={"per_page": 100}, doing="listing teams"
            )
            if isinstance(t, dict) and "slug" in t
        ]
        return did_you_mean(team, slugs)

    def _create(self, request: RepositoryRequest) -> Created:
        org = self.settings.owner
        path = f"orgs/{org}/repos" if org else "user/repos"
        doing = f"creating repository {request.name}"
        body: dict[str, Any] = {
            "name": request.name,
            "description": request.description,
            "private": request.visibility != "public",
            "visibility": request.visibility,
            "auto_init": False,
        }
        response = self._api.call("POST", path, json=body, doing=doing)
        if response.status_code == 201:
            repo = response.json()
            _log.info("created GitHub repository %s", repo["html_url"])
            return Created(str(repo["full_name"]), str(repo["html_url"]), str(repo["clone_url"]))
        if response.status_code == 422 and _name_taken(response):
            where = f"organisation {org!r}" if org else "this account"
            raise RepositoryExists(
                f"A repository named {request.name!r} already exists in {where} on GitHub; "
                "choose another name.",
                field="name",
            )
        if response.status_code == 404 and org:
            raise PublishFailed(
                f"GitHub organisation {org!r} was not found, or the token in "
                f"{self.settings.token_env} cannot see it (check provider "
                f"{self.settings.name!r}'s owner)."
            )
        raise self._api.failure(response, doing)

    def _set_topics(self, created: Created, topics: tuple[str, ...]) -> None:
        doing = f"setting the topics of {created.full_path}"
        response = self._api.call(
            "PUT", f"repos/{created.full_path}/topics", json={"names": list(topics)}, doing=doing
        )
        if response.status_code != 200:
            raise self._api.failure(response, doing)

    def _grant(self, created: Created, org: str, team: str) -> None:
        permission = self.settings.resolved_permission
        doing = f"giving team {org}/{team} {permission} access to {created.full_path}"
        response = self._api.call(
            "PUT",
            f"orgs/{org}/teams/{team}/repos/{created.full_path}",
            json={"permission": permission},
            doing=doing,
        )
        if response.status_code not in (200, 204):
            raise self._api.failure(response, doing)

    def _delete(self, created: Created) -> int:
        response = self._api.call(
            "DELETE", f"repos/{created.full_path}", doing=f"deleting {created.full_path}"
        )
        return response.status_code


def _name_taken(response: httpx.Response) -> bool:
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any(
        isinstance(e, dict)
        and e.get("field") == "name"
        and "already exists" in e.get("message", "")
        for e in errors
    ) or "already exists" in server_message(response)
